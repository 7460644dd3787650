package io.faultline.operator.config;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

/**
 * Leader election for running two or more replicas: only the holder of the Lease {@code faultline-operator} in the
 * operator's own namespace reconciles; the others keep their caches warm and take over when it stops renewing
 * (at most the lease duration, 15 s, after a crash; at once after a clean stop, which releases the Lease).
 * quarkus-operator-sdk activates it in the prod profile ({@code quarkus.operator-sdk.activate-leader-election-for-profiles}).
 *
 * <ul>
 * <li>The Lease's namespace is the operator's namespace ({@code faultline.injection.operator-namespace}, the Downward
 * API's POD_NAMESPACE in the chart), not whatever namespace the client configuration happens to carry.</li>
 * <li>The identity is the pod name plus a random suffix: a restarted container never mistakes its predecessor's Lease
 * for its own.</li>
 * <li>Losing the Lease ends the process (two leaders must never push at once), but from a thread of its own: the SDK's
 * own exit runs inside the leader-election callback, which the shutdown sequence waits for, so a SIGTERM to the leader
 * (which releases the Lease and so "stops leading") deadlocked until the kubelet's SIGKILL.</li>
 * </ul>
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
    public static final String LEASE_NAME = "faultline-operator";
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    public LeaderElection(@ConfigProperty(name = "faultline.injection.operator-namespace") String namespace,
            @ConfigProperty(name = "HOSTNAME") Optional<String> hostname) {
        super(LEASE_NAME, namespace, LEASE_DURATION_DEFAULT_VALUE, RENEW_DEADLINE_DEFAULT_VALUE, RETRY_PERIOD_DEFAULT_VALUE,
                identity(hostname), new LeaderCallbacks(LeaderElection::startedLeading, LeaderElection::stoppedLeading,
                        leader -> LOG.infof("leader of Lease %s/%s: %s", namespace, LEASE_NAME, leader)),
                false);
    }

    static String identity(Optional<String> hostname) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        return hostname.filter(name -> !name.isBlank()).map(name -> name + "_" + suffix).orElse("faultline-operator_" + suffix);
    }

    /** Whether this process holds the Lease (one operator per JVM; set by the election's own callbacks). */
    private static final AtomicBoolean LEADING = new AtomicBoolean();

    private static void startedLeading() {
        LEADING.set(true);
        LOG.info("this replica leads: reconciling");
    }

    /**
     * Hands the Lease over at once on shutdown, as client-go's ReleaseOnCancel does (fabric8's elector only stops
     * renewing, so a standby waited out the whole lease duration after every rollout): once this replica stopped
     * reconciling, the Lease is marked expired (holder cleared, duration 1 s) if it is still ours, by an update that
     * fails rather than clobber a newer holder.
     */
    public void release(KubernetesClient client) {
        if (!LEADING.get()) {
            return;
        }
        String namespace = getLeaseNamespace().orElseThrow();
        String identity = getIdentity().orElseThrow();
        try {
            Lease lease = client.leases().inNamespace(namespace).withName(LEASE_NAME).get();
            if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
                return;
            }
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            lease.getSpec().setHolderIdentity("");
            lease.getSpec().setLeaseDurationSeconds(1);
            lease.getSpec().setRenewTime(now);
            lease.getSpec().setAcquireTime(now);
            client.leases().inNamespace(namespace).resource(lease).update();
            LOG.infof("Lease %s/%s released: a standby leads at once", namespace, LEASE_NAME);
        } catch (RuntimeException e) {
            LOG.warnf("Lease %s/%s not released (a standby takes over when it expires): %s", namespace, LEASE_NAME, e.getMessage());
        }
    }

    private static void stoppedLeading() {
        LOG.info("this replica no longer leads (Lease released on shutdown, or lost): the process ends");
        Thread exit = new Thread(() -> System.exit(1), "faultline-leader-lost-exit");
        exit.setDaemon(true); // during a shutdown, System.exit blocks this thread forever; a daemon thread never holds the JVM
        exit.start();
    }
}
