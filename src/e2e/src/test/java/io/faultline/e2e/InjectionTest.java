package io.faultline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.kube.testkit.KubeApiServer;
import io.faultline.kube.testkit.WithKubeApiServer;

/**
 * Who the API server sends to the webhook, and what comes back, with the shipped MutatingWebhookConfiguration: both
 * documented opt-ins (namespace label, pod annotation in an unlabelled namespace), the opt-outs, the system namespaces,
 * and Pod Security: a pod the injection would make inadmissible is admitted unchanged, with a warning and an Event.
 */
@WithKubeApiServer(controllerManager = true)
@org.junit.jupiter.api.Order(2)
class InjectionTest {
    static Cluster cluster;

    @BeforeAll
    static void start(KubeApiServer server) {
        cluster = Cluster.on(server);
        cluster.sharedOperator();
    }

    @Test
    void aPodAnnotatedInjectTrueInAnUnlabelledNamespaceGetsTheSidecar() {
        String ns = cluster.namespace("optin-pod", Map.of());
        assertThat(injected(create(ns, "annotated", Map.of("faultline.io/inject", "true"), ""))).isTrue();
        assertThat(injected(create(ns, "plain", Map.of(), ""))).isFalse();
        // the token Secret the annotated pod's sidecar mounts was created at its admission
        assertThat(cluster.admin.secrets().inNamespace(ns).withName("faultline-sidecar-token").get()).isNotNull();
    }

    @Test
    void aLabelledNamespaceInjectsEveryPodButThoseThatOptOut() {
        String ns = cluster.namespace("optin-namespace", Map.of("faultline.io/injection", "enabled"));
        assertThat(injected(create(ns, "plain", Map.of(), ""))).isTrue();
        assertThat(injected(create(ns, "opted-out", Map.of("faultline.io/inject", "false"), ""))).isFalse();
    }

    @Test
    void systemNamespacesTheOperatorsOwnAndDisabledNamespacesAreNeverInjected() {
        String disabled = cluster.namespace("optin-disabled", Map.of("faultline.io/injection", "disabled"));
        for (String ns : new String[] {"kube-system", Install.NAMESPACE, disabled}) {
            Pod pod = create(ns, "annotated-" + System.nanoTime() % 100000, Map.of("faultline.io/inject", "true"), "");
            assertThat(injected(pod)).as("pod in %s", ns).isFalse();
            cluster.admin.pods().inNamespace(ns).withName(pod.getMetadata().getName()).delete();
        }
    }

    @Test
    void transparentInterceptionInARestrictedNamespaceIsRefusedAtAdmissionWithAWarningAndAnEvent() {
        String ns = cluster.namespace("restricted", Map.of("faultline.io/injection", "enabled",
                "pod-security.kubernetes.io/enforce", "restricted"));
        // explicit interception (the default): the sidecar meets the restricted level, the pod is admitted with it
        assertThat(injected(create(ns, "explicit", Map.of(), RESTRICTED_APP))).isTrue();

        var result = cluster.server.kubectl().runWithInput(pod(ns, "transparent", Map.of("faultline.io/interception", "transparent"),
                RESTRICTED_APP), "create", "-f", "-");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stderr()).contains("Warning: faultline: sidecar not injected: transparent interception")
                .contains("'restricted'");
        Pod stored = cluster.admin.pods().inNamespace(ns).withName("transparent").get();
        assertThat(injected(stored)).isFalse();
        Cluster.await("an InjectionSkipped Event on the pod", Duration.ofMinutes(1),
                () -> cluster.admin.v1().events().inNamespace(ns).list().getItems().stream().anyMatch(e ->
                        "InjectionSkipped".equals(e.getReason()) && "transparent".equals(e.getInvolvedObject().getName())
                                && e.getMessage().contains("PodSecurity")),
                () -> cluster.admin.v1().events().inNamespace(ns).list().getItems().toString());

        // a session selecting it says so in its status
        cluster.apply("""
                apiVersion: faultline.io/v1alpha1
                kind: FaultSession
                metadata: {name: psa, namespace: %s}
                spec:
                  selector: {matchLabels: {app: transparent}}
                  targets: [{name: http, port: 8080}]
                  faults:
                    - name: slow
                      latency: {fixed: 100ms}
                """.formatted(ns));
        Cluster.await("the session to explain the missing sidecar", Duration.ofMinutes(2),
                () -> Sessions.get(cluster.admin, ns, "psa").path("status").path("pods").toString().contains("PodSecurity"),
                () -> Sessions.describe(Sessions.get(cluster.admin, ns, "psa")));
    }

    /** A container that the restricted Pod Security level admits. */
    static final String RESTRICTED_APP = """
                  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
                  containers:
                    - name: app
                      image: example/app:1
                      ports: [{name: http, containerPort: 8080}]
                      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
            """;

    private static String pod(String ns, String name, Map<String, String> annotations, String spec) {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns
                + "\n  labels: {app: " + name + ", " + Kubelet.HOLD_LABEL + ": hold}\n");
        if (!annotations.isEmpty()) {
            yaml.append("  annotations:\n");
            annotations.forEach((k, v) -> yaml.append("    ").append(k).append(": \"").append(v).append("\"\n"));
        }
        yaml.append("spec:\n").append(spec.isEmpty() ? """
                  containers:
                    - name: app
                      image: example/app:1
                      ports: [{name: http, containerPort: 8080}]
                """ : spec);
        return yaml.toString();
    }

    private static Pod create(String ns, String name, Map<String, String> annotations, String spec) {
        var result = cluster.server.kubectl().runWithInput(pod(ns, name, annotations, spec), "create", "-f", "-");
        assertThat(result.exitCode()).as("kubectl create: %s", result.stderr()).isZero();
        return cluster.admin.pods().inNamespace(ns).withName(name).get();
    }

    private static boolean injected(Pod pod) {
        return Workloads.injected(pod);
    }
}
