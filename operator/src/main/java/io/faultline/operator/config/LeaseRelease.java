package io.faultline.operator.config;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Releases the Lease on shutdown, after the operator SDK stopped reconciling (its own shutdown observer has the default
 * priority; this one comes later), so the standby never reconciles while this replica still does.
 */
@ApplicationScoped
public class LeaseRelease {
    private final LeaderElection election;
    private final KubernetesClient client;

    public LeaseRelease(LeaderElection election, KubernetesClient client) {
        this.election = election;
        this.client = client;
    }

    void onStop(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) ShutdownEvent event) {
        election.release(client);
    }
}
