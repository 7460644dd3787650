package io.faultline.operator.config;

import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

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

    private static void startedLeading() {
        LOG.info("this replica leads: reconciling");
    }

    private static void stoppedLeading() {
        LOG.info("this replica no longer leads (Lease released on shutdown, or lost): the process ends");
        Thread exit = new Thread(() -> System.exit(1), "faultline-leader-lost-exit");
        exit.setDaemon(true); // during a shutdown, System.exit blocks this thread forever; a daemon thread never holds the JVM
        exit.start();
    }
}
