package io.faultline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.faultline.kube.testkit.KubeApiServer;
import io.faultline.kube.testkit.WithKubeApiServer;

/**
 * A user's journey on a real API server with the packaged operator in its production configuration: a namespace opted
 * in, a Deployment whose pods kube-controller-manager creates and the API server sends to the webhook, sidecars run by
 * the kubelet fixture, a FaultSession whose faults real requests see, and every way back to normal traffic.
 */
@WithKubeApiServer(controllerManager = true)
@org.junit.jupiter.api.Order(1)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JourneyTest {
    static final String NS = "journey";
    static final String APP = "checkout";
    static Cluster cluster;
    static AppServer app;
    static Workloads workloads;

    @BeforeAll
    static void deploy(KubeApiServer server) {
        cluster = Cluster.on(server);
        app = new AppServer();
        workloads = new Workloads(cluster, app);
        cluster.sharedOperator();
        cluster.namespace(NS, Map.of("faultline.io/injection", "enabled"));
        workloads.deploy(NS, APP, 2, Map.of());
        workloads.awaitRunning(NS, APP, 2, true);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    @Order(1)
    void theApiServerStoresPodsInjectedByTheWebhookAndTheirSidecarsServeTraffic() {
        for (Pod pod : workloads.pods(NS, APP)) {
            assertThat(pod.getMetadata().getAnnotations()).containsEntry("faultline.io/injected", "true")
                    .containsKeys("faultline.io/status", "faultline.io/initial-config");
            // explicit interception: the app's named port went to the sidecar, the app keeps its number under a new name
            assertThat(pod.getSpec().getContainers().get(0).getPorts().get(0).getName()).isEqualTo("app-" + workloads.appPort());
        }
        workloads.awaitTraffic(NS, APP, 200);
        // the generated token reached the namespace: the sidecars were started with it (the kubelet mounts the Secret)
        assertThat(cluster.admin.secrets().inNamespace(NS).withName("faultline-sidecar-token").get()).isNotNull();
        assertThat(cluster.admin.v1().events().inNamespace(NS).list().getItems())
                .anyMatch(e -> "Injected".equals(e.getReason()) && "ReplicaSet".equals(e.getInvolvedObject().getKind()));
    }

    @Test
    @Order(2)
    void aFaultSessionAppliesToRealTrafficWithStatusConditionsAndEvents() {
        applyErrors(503);
        awaitSession("errors", "Active", "True", "FaultsActive");
        workloads.awaitTraffic(NS, APP, 503);
        JsonNode session = Sessions.get(cluster.admin, NS, "errors");
        assertThat(session.path("status").path("selectedPods").asInt()).isEqualTo(2);
        assertThat(session.path("status").path("configuredPods").asInt()).isEqualTo(2);
        assertThat(Sessions.conditionIs(session, "Configured", "True", "AllConfigured")).isTrue();
        assertThat(session.path("metadata").path("finalizers").toString()).contains("faultsessions.faultline.io/cleanup");
        // the operator's field manager owns status only (and its annotation): the user's spec stays the user's
        assertThat(managers(session, "spec")).containsExactly(Cluster.USER_FIELD_MANAGER);
        assertThat(Sessions.reasons(cluster.admin, NS, "errors")).contains("Activated").doesNotContain("PushFailed");
    }

    @Test
    @Order(3)
    void anEditPropagates() {
        applyErrors(418);
        awaitSession("errors", "Active", "True", "FaultsActive");
        assertThat(Sessions.get(cluster.admin, NS, "errors").path("status").path("observedGeneration").asLong()).isEqualTo(2);
        workloads.awaitTraffic(NS, APP, 418);
    }

    @Test
    @Order(4)
    void pauseReturnsTrafficToNormalAndResumeBringsTheFaultsBack() {
        patchSpec("errors", "{\"spec\":{\"paused\":true}}");
        awaitSession("errors", "Paused", "False", null);
        workloads.awaitTraffic(NS, APP, 200);
        assertThat(Sessions.reasons(cluster.admin, NS, "errors")).contains("Paused");
        patchSpec("errors", "{\"spec\":{\"paused\":false}}");
        awaitSession("errors", "Active", "True", "FaultsActive");
        workloads.awaitTraffic(NS, APP, 418);
    }

    @Test
    @Order(5)
    void theNamespaceKillSwitchReturnsTrafficToNormal() {
        annotateNamespace(NS, "faultline.io/kill-switch", "true");
        awaitSession("errors", "Paused", "False", "KillSwitch");
        workloads.awaitTraffic(NS, APP, 200);
        annotateNamespace(NS, "faultline.io/kill-switch", null);
        awaitSession("errors", "Active", "True", "FaultsActive");
        workloads.awaitTraffic(NS, APP, 418);
    }

    @Test
    @Order(6)
    void theGlobalKillSwitchReturnsTrafficToNormal() {
        annotateNamespace(Install.NAMESPACE, "faultline.io/kill-switch-all", "true");
        try {
            awaitSession("errors", "Paused", "False", "KillSwitch");
            workloads.awaitTraffic(NS, APP, 200);
        } finally {
            annotateNamespace(Install.NAMESPACE, "faultline.io/kill-switch-all", null);
        }
        awaitSession("errors", "Active", "True", "FaultsActive");
        workloads.awaitTraffic(NS, APP, 418);
    }

    @Test
    @Order(7)
    void deletingTheSessionRemovesItsFaultsBeforeItGoes() {
        cluster.admin.genericKubernetesResources(Sessions.API_VERSION, "FaultSession").inNamespace(NS).withName("errors").delete();
        Cluster.await("the session to be gone", Duration.ofMinutes(2), () -> !Sessions.exists(cluster.admin, NS, "errors"),
                () -> Sessions.describe(Sessions.get(cluster.admin, NS, "errors")));
        // the finalizer let it go only once every sidecar had the rules removed: no wait needed here
        assertThat(workloads.statuses(NS, APP)).containsOnly(200);
    }

    @Test
    @Order(8)
    void theEndOfTheScheduleReturnsTrafficToNormal() {
        cluster.apply("""
                apiVersion: faultline.io/v1alpha1
                kind: FaultSession
                metadata: {name: brief, namespace: %s}
                spec:
                  selector: {matchLabels: {app: %s}}
                  schedule: {duration: 25s}
                  targets: [{name: http, port: %d, protocol: http}]
                  faults:
                    - name: unavailable
                      abort: {httpStatus: 503}
                """.formatted(NS, APP, workloads.appPort()));
        awaitSession("brief", "Active", "True", "FaultsActive");
        workloads.awaitTraffic(NS, APP, 503);
        awaitSession("brief", "Expired", "False", null);
        workloads.awaitTraffic(NS, APP, 200);
        assertThat(Sessions.reasons(cluster.admin, NS, "brief")).contains("Activated", "Expired");
        cluster.admin.genericKubernetesResources(Sessions.API_VERSION, "FaultSession").inNamespace(NS).withName("brief").delete();
    }

    @Test
    @Order(9)
    void restartWorkloadsRollsADeploymentAndItsNewPodsComeBackInjected() {
        String legacy = "journey-legacy";
        cluster.namespace(legacy, Map.of());
        workloads.deploy(legacy, "legacy", 1, Map.of());
        List<Pod> before = workloads.awaitRunning(legacy, "legacy", 1, false);
        cluster.apply("""
                apiVersion: faultline.io/v1alpha1
                kind: FaultSession
                metadata: {name: legacy-errors, namespace: %s}
                spec:
                  selector: {matchLabels: {app: legacy}}
                  restartWorkloads: true
                  targets: [{name: http, port: %d, protocol: http}]
                  faults:
                    - name: unavailable
                      abort: {httpStatus: 503}
                """.formatted(legacy, workloads.appPort()));
        // not opted in yet: nothing is restarted, and the status says why
        Cluster.await("the awaiting pod to say why it is not restarted", Duration.ofMinutes(2), () -> Sessions.get(cluster.admin, legacy,
                "legacy-errors").path("status").path("pods").toString().contains("NotOptedIn"),
                () -> Sessions.describe(Sessions.get(cluster.admin, legacy, "legacy-errors")));
        cluster.admin.namespaces().withName(legacy).edit(ns -> {
            ns.getMetadata().getLabels().put("faultline.io/injection", "enabled");
            return ns;
        });
        List<Pod> after = workloads.awaitRunning(legacy, "legacy", 1, true);
        assertThat(after.get(0).getMetadata().getName()).isNotEqualTo(before.get(0).getMetadata().getName());
        Cluster.await("legacy-errors to be Ready", Duration.ofMinutes(2),
                () -> Sessions.settled(Sessions.get(cluster.admin, legacy, "legacy-errors"), "Active", "True", "FaultsActive"),
                () -> Sessions.describe(Sessions.get(cluster.admin, legacy, "legacy-errors")));
        workloads.awaitTraffic(legacy, "legacy", 503);
        assertThat(Sessions.reasons(cluster.admin, legacy, "legacy-errors")).contains("WorkloadRestarted");
    }

    private static void applyErrors(int status) {
        Sessions.applyErrors(cluster, NS, APP, workloads.appPort(), status);
    }

    private static void patchSpec(String name, String mergePatch) {
        cluster.admin.genericKubernetesResources(Sessions.API_VERSION, "FaultSession").inNamespace(NS).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
    }

    static void annotateNamespace(String namespace, String key, String value) {
        String json = value == null ? "null" : "\"" + value + "\"";
        cluster.admin.namespaces().withName(namespace).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"" + key + "\":" + json + "}}}");
    }

    private static void awaitSession(String name, String phase, String ready, String reason) {
        Cluster.await(name + " to be " + phase + " with Ready=" + ready + (reason == null ? "" : " (" + reason + ")"), Duration.ofMinutes(2),
                () -> Sessions.settled(Sessions.get(cluster.admin, NS, name), phase, ready, reason),
                () -> Sessions.describe(Sessions.get(cluster.admin, NS, name)));
    }

    /** The field managers that own something under {@code field} of the resource. */
    private static List<String> managers(JsonNode resource, String field) {
        List<String> managers = new java.util.ArrayList<>();
        for (JsonNode entry : resource.path("metadata").path("managedFields")) {
            if (entry.path("fieldsV1").has("f:" + field)) {
                managers.add(entry.path("manager").asText());
            }
        }
        return managers;
    }
}
