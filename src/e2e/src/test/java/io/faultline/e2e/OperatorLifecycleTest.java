package io.faultline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.faultline.kube.testkit.KubeApiServer;
import io.faultline.kube.testkit.WithKubeApiServer;

/**
 * Replicas and restarts of the packaged operator, as a Deployment runs them: leader election on the Lease with exactly
 * the chart's RBAC (two processes, one reconciles), a SIGTERM to the leader (exits promptly and hands over at once), a
 * killed leader (the standby takes over within the lease duration and keeps reconciling; nothing is pushed twice or
 * lost), and an operator restart with sessions in flight (nothing changes on the sidecars).
 */
@WithKubeApiServer(controllerManager = true)
@org.junit.jupiter.api.Order(9)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorLifecycleTest {
    static final String NS = "lifecycle";
    static final String APP = "orders";
    static final Duration LEASE_DURATION = Duration.ofSeconds(15);
    static Cluster cluster;
    static AppServer app;
    static Workloads workloads;
    static OperatorProcess first;
    static OperatorProcess second;
    static OperatorProcess third;

    @BeforeAll
    static void start(KubeApiServer server) throws InterruptedException {
        cluster = Cluster.on(server);
        cluster.stopSharedOperator(); // this class runs its own replicas
        app = new AppServer();
        workloads = new Workloads(cluster, app);
        first = cluster.startOperatorServingWebhook(Map.of());
        awaitLeader(first);
        second = cluster.startOperator(Map.of());
        second.webhookUrl(Duration.ofMinutes(3)); // started: caches warm, webhook up, waiting for the Lease
        cluster.namespace(NS, Map.of("faultline.io/injection", "enabled"));
        workloads.deploy(NS, APP, 2, Map.of());
        workloads.awaitRunning(NS, APP, 2, true);
        applyErrors(503);
        awaitReady(1);
        workloads.awaitTraffic(NS, APP, 503);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (OperatorProcess operator : new OperatorProcess[] {first, second, third}) {
            if (operator != null) {
                operator.close();
            }
        }
        app.close();
    }

    @Test
    @Order(1)
    void onlyTheLeaderReconcilesAndItKeepsItsLeaseWithTheChartsRbac() throws InterruptedException {
        Lease lease = lease();
        assertThat(lease.getSpec().getHolderIdentity()).startsWith(first.name() + "_");
        // renewals (a patch, which the chart's Role grants) keep it past several lease durations
        String renewed = lease.getSpec().getRenewTime().toString();
        Cluster.await("the Lease to be renewed", Duration.ofSeconds(60),
                () -> !lease().getSpec().getRenewTime().toString().equals(renewed), () -> lease().getSpec().toString());
        assertThat(first.isAlive()).as("the leader is still running (it exited when it could not renew)").isTrue();
        assertThat(second.lines()).noneMatch(line -> line.contains("this replica leads"));
        assertThat(first.lines()).noneMatch(line -> line.contains("ERROR"));
    }

    @Test
    @Order(2)
    void aLeaderStoppedWithSigtermExitsPromptlyAndTheStandbyTakesOverAtOnce() throws InterruptedException {
        Map<String, List<String>> before = appliedVersions();
        Optional<Duration> exited = first.terminate(Duration.ofSeconds(60));
        assertThat(exited).as("the leader did not exit within 60 s of SIGTERM (the kubelet would SIGKILL it)").isPresent();
        System.out.println("leader exit after SIGTERM: " + exited.get().toMillis() + " ms, exit code " + first.exitValue()
                + "; last lines:\n" + first.tail(15));
        // it handed the Lease over on its way out, after it stopped reconciling: the standby need not wait it out
        assertThat(first.lines()).anyMatch(line -> line.contains("Lease faultline-system/faultline-operator released"));
        long handover = System.nanoTime();
        awaitLeader(second);
        System.out.println("standby leading " + Duration.ofNanos(System.nanoTime() - handover).toMillis()
                + " ms after the leader exited (Lease released on shutdown)");
        // the new leader reconciles: an edit reaches every sidecar, once
        applyErrors(418);
        awaitReady(2);
        workloads.awaitTraffic(NS, APP, 418);
        assertPushedOnceMore(before);
    }

    @Test
    @Order(3)
    void aKilledLeaderIsReplacedWithinTheLeaseDurationAndNothingIsPushedTwiceOrLost() throws InterruptedException {
        third = cluster.startOperator(Map.of());
        third.webhookUrl(Duration.ofMinutes(3));
        Map<String, List<String>> before = appliedVersions();
        long killed = System.nanoTime();
        second.kill();
        awaitLeader(third);
        Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
        System.out.println("standby leading " + takeover.toMillis() + " ms after the leader was killed (lease duration "
                + LEASE_DURATION.toSeconds() + " s, retry period 2 s)");
        // the Lease outlives its holder by at most its duration; the standby tries every 2 s (a loaded machine adds more)
        assertThat(takeover).isLessThan(LEASE_DURATION.multipliedBy(3));
        // taking over pushes nothing: every sidecar already runs the desired config
        assertThat(appliedVersions()).isEqualTo(before);
        applyErrors(429);
        awaitReady(3);
        workloads.awaitTraffic(NS, APP, 429);
        assertPushedOnceMore(before);
    }

    @Test
    @Order(4)
    void anOperatorRestartWithSessionsInFlightChangesNothingOnTheSidecars() throws InterruptedException {
        Map<String, List<String>> before = appliedVersions();
        JsonNode statusBefore = Sessions.get(cluster.admin, NS, "errors").path("status");
        assertThat(third.terminate(Duration.ofSeconds(60))).isPresent();
        third = cluster.startOperatorServingWebhook(Map.of());
        awaitLeader(third);
        // the new operator reconciles the session: it asks each sidecar for its version and finds the desired one...
        Cluster.await("the restarted operator to verify both sidecars", Duration.ofMinutes(2),
                () -> third.metric("faultline_sidecar_pushes_total{outcome=\"unchanged\"") >= 2,
                () -> "pushes: " + third.metric("faultline_sidecar_pushes_total"));
        assertThat(third.metric("faultline_sidecar_pushes_total{outcome=\"pushed\"")).isZero();
        // ...and the sidecars saw nothing: no config applied, same versions, same traffic, same conditions
        workloads.awaitTraffic(NS, APP, 429);
        assertThat(appliedVersions()).isEqualTo(before);
        JsonNode statusAfter = Sessions.get(cluster.admin, NS, "errors").path("status");
        assertThat(statusAfter.path("conditions")).isEqualTo(statusBefore.path("conditions"));
    }

    private static void assertPushedOnceMore(Map<String, List<String>> before) {
        Map<String, List<String>> after = appliedVersions();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        after.forEach((pod, versions) -> assertThat(versions.subList(0, before.get(pod).size())).isEqualTo(before.get(pod)));
        after.forEach((pod, versions) -> assertThat(versions).as("configs applied by the sidecar of %s", pod)
                .hasSize(before.get(pod).size() + 1));
    }

    /** Per pod, the versions its sidecar applied so far. */
    private static Map<String, List<String>> appliedVersions() {
        Map<String, List<String>> versions = new LinkedHashMap<>();
        for (Pod pod : workloads.pods(NS, APP)) {
            Kubelet.RunningPod running = cluster.kubelet.pod(NS, pod.getMetadata().getName()).orElseThrow();
            versions.put(pod.getMetadata().getName(), running.sidecar().appliedVersions());
        }
        return versions;
    }

    private static Lease lease() {
        return cluster.admin.leases().inNamespace(Install.NAMESPACE).withName("faultline-operator").get();
    }

    private static void awaitLeader(OperatorProcess operator) throws InterruptedException {
        assertThat(operator.awaitLine(line -> line.contains("this replica leads"), Duration.ofMinutes(2)))
                .as("operator %s never led; log %s:%n%s", operator.name(), operator.log(), operator.tail(30)).isTrue();
    }

    private static void applyErrors(int status) {
        Sessions.applyErrors(cluster, NS, APP, workloads.appPort(), status);
    }

    private static void awaitReady(long generation) {
        Cluster.await("errors generation " + generation + " Ready", Duration.ofMinutes(2), () -> {
            JsonNode session = Sessions.get(cluster.admin, NS, "errors");
            return session.path("metadata").path("generation").asLong() == generation
                    && Sessions.settled(session, "Active", "True", "FaultsActive")
                    && session.path("status").path("configuredPods").asInt() == 2;
        }, () -> Sessions.describe(Sessions.get(cluster.admin, NS, "errors")));
    }
}
