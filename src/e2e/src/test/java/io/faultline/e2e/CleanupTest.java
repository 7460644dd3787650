package io.faultline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.faultline.kube.testkit.KubeApiServer;
import io.faultline.kube.testkit.WithKubeApiServer;

/**
 * Pods that do not run yet (Pending: no IP, no sidecar process): a session selecting one reports it Starting (no
 * PushFailed Warning), and deleting the session waits only for pods that will start with its rules.
 */
@WithKubeApiServer(controllerManager = true)
@org.junit.jupiter.api.Order(4)
class CleanupTest {
    static final String NS = "pending";
    static Cluster cluster;
    static AppServer app;

    @BeforeAll
    static void start(KubeApiServer server) {
        cluster = Cluster.on(server);
        cluster.sharedOperator();
        app = new AppServer();
        cluster.namespace(NS, Map.of("faultline.io/injection", "enabled"));
    }

    @Test
    void aPendingPodIsStartingNotAFailureAndDeletingItsSessionDoesNotWaitForIt() {
        createHeldPod("early");
        session("early-session", "early");
        Cluster.await("the pending pod to be listed as Starting", Duration.ofMinutes(2), () -> {
            JsonNode session = Sessions.get(cluster.admin, NS, "early-session");
            return Sessions.settled(session, "Active", "False", "PodsStarting")
                    && "Starting".equals(session.path("status").path("pods").path(0).path("state").asText());
        }, () -> Sessions.describe(Sessions.get(cluster.admin, NS, "early-session")));
        JsonNode session = Sessions.get(cluster.admin, NS, "early-session");
        assertThat(Sessions.conditionIs(session, "Configured", "True", "AllConfigured")).isTrue();
        assertThat(session.path("status").path("pods").path(0).path("message").asText()).contains("no IP yet");
        assertThat(Sessions.reasons(cluster.admin, NS, "early-session")).doesNotContain("PushFailed");

        // admitted before the session existed, its sidecar will start without the session's rules: nothing to wait for
        delete("early-session");
        Cluster.await("the session to be gone (well before the 60 s cleanup timeout)", Duration.ofSeconds(40),
                () -> !Sessions.exists(cluster.admin, NS, "early-session"),
                () -> Sessions.describe(Sessions.get(cluster.admin, NS, "early-session")));
        assertThat(Sessions.reasons(cluster.admin, NS, "early-session")).doesNotContain("CleanupIncomplete");
    }

    @Test
    void aPendingPodAdmittedWithTheSessionsRulesIsCleanedWhenItStarts() {
        session("late-session", "late");
        Cluster.await("late-session to be Active", Duration.ofMinutes(2),
                () -> "Active".equals(Sessions.phase(Sessions.get(cluster.admin, NS, "late-session"))),
                () -> Sessions.describe(Sessions.get(cluster.admin, NS, "late-session")));
        createHeldPod("late");
        String initial = cluster.admin.pods().inNamespace(NS).withName("late").get().getMetadata().getAnnotations()
                .get("faultline.io/initial-config");
        assertThat(initial).as("the pod's initial config carries the session's rule").contains("late-session.slow");

        delete("late-session");
        Cluster.await("the finalizer to hold the session", Duration.ofSeconds(30), () -> !Sessions.get(cluster.admin, NS,
                "late-session").path("metadata").path("deletionTimestamp").isMissingNode(), () -> "not deleting");
        assertThat(Sessions.exists(cluster.admin, NS, "late-session")).isTrue();

        // the pod starts (with the session's rules), the operator removes them, then lets the session go
        cluster.admin.pods().inNamespace(NS).withName("late").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"" + Kubelet.HOLD_LABEL + "\":null}}}");
        Cluster.await("the session to be gone once the pod's sidecar runs without its rules", Duration.ofMinutes(1),
                () -> !Sessions.exists(cluster.admin, NS, "late-session"),
                () -> Sessions.describe(Sessions.get(cluster.admin, NS, "late-session")));
        SidecarProcess sidecar = cluster.kubelet.pod(NS, "late").orElseThrow().sidecar();
        assertThat(sidecar.appliedVersions()).hasSizeGreaterThanOrEqualTo(2); // started with the rules, then without
        assertThat(sidecar.outputLines().stream().filter(l -> l.contains("\"event\":\"config_applied\"")).reduce((a, b) -> b)
                .orElseThrow()).contains("\"rules\":0");
        assertThat(Sessions.reasons(cluster.admin, NS, "late-session")).doesNotContain("CleanupIncomplete");
    }

    private static void createHeldPod(String name) {
        cluster.apply("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  namespace: %s
                  labels: {app: %s, %s: hold}
                spec:
                  containers:
                    - name: app
                      image: example/app:1
                      ports: [{name: http, containerPort: %d}]
                """.formatted(name, NS, name, Kubelet.HOLD_LABEL, app.port()));
    }

    private static void session(String name, String app) {
        cluster.apply("""
                apiVersion: faultline.io/v1alpha1
                kind: FaultSession
                metadata: {name: %s, namespace: %s}
                spec:
                  selector: {matchLabels: {app: %s}}
                  targets: [{name: http, port: %d}]
                  faults:
                    - name: slow
                      latency: {fixed: 100ms}
                """.formatted(name, NS, app, CleanupTest.app.port()));
    }

    private static void delete(String name) {
        cluster.admin.genericKubernetesResources(Sessions.API_VERSION, "FaultSession").inNamespace(NS).withName(name).delete();
    }
}
