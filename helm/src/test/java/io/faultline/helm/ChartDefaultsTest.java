package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The chart rendered with its default values: what a plain `helm install` creates. */
class ChartDefaultsTest {
    private static Manifests manifests;

    @BeforeAll
    static void render() {
        manifests = Chart.render(Map.of());
    }

    /** CRDs come from the chart's crds/ folder, which helm installs first and `helm template` leaves out. */
    @Test
    void rendersExactlyTheExpectedObjects() {
        List<String> objects = manifests.all().stream()
                .map(d -> d.path("kind").asText() + "/" + d.path("metadata").path("name").asText())
                .sorted().collect(Collectors.toList());

        assertThat(objects).containsExactly(
                "ClusterRole/faultline-operator",
                "ClusterRole/faultline-operator-cluster",
                "ClusterRoleBinding/faultline-operator",
                "ClusterRoleBinding/faultline-operator-cluster",
                "Deployment/faultline-operator",
                "MutatingWebhookConfiguration/faultline-webhook",
                "PodDisruptionBudget/faultline-operator",
                "Role/faultline-operator-namespace",
                "RoleBinding/faultline-operator-namespace",
                "Service/faultline-webhook",
                "ServiceAccount/faultline-operator");
    }

    @Test
    void everyNamespacedObjectIsInTheReleaseNamespace() {
        for (JsonNode doc : manifests.all()) {
            String kind = doc.path("kind").asText();
            if (List.of("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "MutatingWebhookConfiguration").contains(kind)) {
                assertThat(doc.path("metadata").has("namespace")).as(kind + " is cluster-scoped").isFalse();
            } else {
                assertThat(doc.path("metadata").path("namespace").asText()).as(kind).isEqualTo(Chart.NAMESPACE);
            }
        }
    }

    @Test
    void deploymentRunsTwoLeaderElectedReplicasWithProbesAndARestrictedSecurityContext() {
        JsonNode deployment = manifests.get("Deployment", "faultline-operator");
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);

        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(deployment.path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable").asInt()).isZero();
        assertThat(pod.path("serviceAccountName").asText()).isEqualTo("faultline-operator");
        assertThat(container.path("image").asText()).isEqualTo("ghcr.io/faultline/faultline-operator:0.1.0");

        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/started");
        assertThat(container.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("http");
        assertThat(ports(container)).containsEntry("http", 8080).containsEntry("webhook", 8443);

        assertThat(container.path("resources").path("requests").path("memory").asText()).isEqualTo("256Mi");
        assertThat(container.path("resources").path("limits").path("memory").asText()).isEqualTo("512Mi");

        // Pod Security Standard "restricted".
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
        JsonNode security = container.path("securityContext");
        assertThat(security.path("allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(texts(security.path("capabilities").path("drop"))).containsExactly("ALL");
        assertThat(security.path("capabilities").has("add")).isFalse();
        assertThat(pod.path("hostNetwork").asBoolean(false)).isFalse();
        // The read-only root needs one writable place for the JVM's and Vert.x's temporary files.
        assertThat(container.path("volumeMounts").get(0).path("mountPath").asText()).isEqualTo("/tmp");
        assertThat(pod.path("volumes").get(0).has("emptyDir")).isTrue();
    }

    @Test
    void deploymentPassesTheDefaultSettingsToTheOperator() {
        Map<String, String> env = Env.of(manifests.get("Deployment", "faultline-operator"));

        assertThat(env).containsEntry("FAULTLINE_KILL_SWITCH", "false")
                .containsEntry("FAULTLINE_SIDECAR_DEFAULT_ADMIN_PORT", "15000")
                .containsEntry("FAULTLINE_INJECTION_IMAGE", "ghcr.io/faultline/faultline-sidecar:0.1.0")
                .containsEntry("FAULTLINE_INJECTION_INIT_IMAGE", "ghcr.io/faultline/faultline-init:0.1.0")
                .containsEntry("FAULTLINE_INJECTION_INTERCEPTION", "explicit")
                .containsEntry("FAULTLINE_INJECTION_NATIVE_SIDECAR", "false")
                .containsEntry("FAULTLINE_INJECTION_CPU_REQUEST", "50m")
                .containsEntry("FAULTLINE_INJECTION_MEMORY_REQUEST", "64Mi")
                .containsEntry("FAULTLINE_INJECTION_MEMORY_LIMIT", "128Mi")
                .containsEntry("QUARKUS_MICROMETER_EXPORT_PROMETHEUS_ENABLED", "true")
                .containsEntry("QUARKUS_LOG_LEVEL", "INFO")
                .containsEntry("FAULTLINE_INJECTION_TOKEN_SECRET_NAME", "faultline-sidecar-token")
                .containsEntry("FAULTLINE_WEBHOOK_PORT", "8443")
                .containsEntry("FAULTLINE_WEBHOOK_SERVICE_NAME", "faultline-webhook")
                .containsEntry("FAULTLINE_WEBHOOK_CONFIGURATION_NAME", "faultline-webhook")
                .containsEntry("FAULTLINE_WEBHOOK_CERT_SECRET_NAME", "faultline-webhook-certs")
                .containsEntry("FAULTLINE_WEBHOOK_CERT_MANAGER", "false")
                .containsEntry("POD_NAMESPACE", "fieldRef:metadata.namespace");
        // All namespaces by default, and no CPU limit on the sidecar unless asked for.
        assertThat(env).doesNotContainKeys("QUARKUS_OPERATOR_SDK_NAMESPACES", "FAULTLINE_INJECTION_CPU_LIMIT");
    }

    @Test
    void rbacGrantsExactlyWhatTheOperatorUses() {
        assertThat(Rbac.rules(manifests.get("ClusterRole", "faultline-operator"))).containsExactlyInAnyOrder(
                "faultline.io/faultsessions: get,list,watch,patch",
                "faultline.io/faultsessions/status: patch",
                "faultline.io/qosprofiles: get,list,watch",
                "faultline.io/qosprofiles/status: patch",
                "/pods: list,watch",
                "/services: list",
                "apps/replicasets: get",
                "apps/deployments: get,patch",
                "apps/statefulsets: get,patch",
                "apps/daemonsets: get,patch",
                "/events: create",
                "/secrets: create",
                "/secrets[faultline-sidecar-token]: get,update");
        assertThat(Rbac.rules(manifests.get("ClusterRole", "faultline-operator-cluster"))).containsExactly(
                "/namespaces: get,list,watch",
                "admissionregistration.k8s.io/mutatingwebhookconfigurations[faultline-webhook]: get,list,watch,update");
        assertThat(Rbac.rules(manifests.get("Role", "faultline-operator-namespace"))).containsExactly(
                "coordination.k8s.io/leases: create",
                "coordination.k8s.io/leases[faultline-operator]: get,update,patch",
                "/secrets: create",
                "/secrets[faultline-webhook-certs,faultline-sidecar-token]: get,update");

        for (String binding : List.of("faultline-operator", "faultline-operator-cluster")) {
            JsonNode crb = manifests.get("ClusterRoleBinding", binding);
            assertThat(crb.path("roleRef").path("name").asText()).isEqualTo(binding);
            assertThat(crb.path("subjects").get(0).path("name").asText()).isEqualTo("faultline-operator");
            assertThat(crb.path("subjects").get(0).path("namespace").asText()).isEqualTo(Chart.NAMESPACE);
        }
        JsonNode leaseBinding = manifests.get("RoleBinding", "faultline-operator-namespace");
        assertThat(leaseBinding.path("roleRef").path("kind").asText()).isEqualTo("Role");
    }

    @Test
    void noRbacRuleUsesAWildcard() {
        for (JsonNode role : Rbac.roles(manifests)) {
            for (JsonNode rule : role.path("rules")) {
                for (String field : List.of("apiGroups", "resources", "verbs", "resourceNames")) {
                    assertThat(texts(rule.path(field))).as("%s %s.%s", role.path("metadata").path("name").asText(), field, rule)
                            .doesNotContain("*");
                }
            }
        }
    }

    @Test
    void webhookSeesEveryPodThatMayOptInAndNeverBlocksTheCluster() {
        JsonNode configuration = manifests.get("MutatingWebhookConfiguration", "faultline-webhook");
        assertThat(configuration.path("webhooks")).hasSize(1);
        JsonNode webhook = configuration.path("webhooks").get(0);

        assertThat(webhook.path("failurePolicy").asText()).isEqualTo("Ignore");
        assertThat(webhook.path("sideEffects").asText()).isEqualTo("NoneOnDryRun");
        assertThat(webhook.path("timeoutSeconds").asInt()).isEqualTo(5);
        assertThat(texts(webhook.path("admissionReviewVersions"))).containsExactly("v1");
        assertThat(webhook.path("reinvocationPolicy").asText()).isEqualTo("IfNeeded");

        JsonNode rule = webhook.path("rules").get(0);
        assertThat(texts(rule.path("operations"))).containsExactly("CREATE");
        assertThat(texts(rule.path("resources"))).containsExactly("pods");
        assertThat(texts(rule.path("apiGroups"))).containsExactly("");

        // Both opt-ins reach the webhook: the namespace label, and the pod annotation in any other namespace (an
        // annotation is invisible to selectors); only namespaces labelled disabled and the system ones are never called.
        JsonNode expressions = webhook.path("namespaceSelector").path("matchExpressions");
        assertThat(expressions).hasSize(2);
        assertThat(webhook.has("objectSelector")).isFalse();
        assertThat(expressions.get(0).path("key").asText()).isEqualTo("faultline.io/injection");
        assertThat(expressions.get(0).path("operator").asText()).isEqualTo("NotIn");
        assertThat(texts(expressions.get(0).path("values"))).containsExactly("disabled");
        assertThat(expressions.get(1).path("operator").asText()).isEqualTo("NotIn");
        assertThat(texts(expressions.get(1).path("values")))
                .containsExactlyInAnyOrder("kube-system", "kube-public", "kube-node-lease", Chart.NAMESPACE);

        // The names the operator is told (to patch caBundle, to name the certificate) are the chart's objects.
        Map<String, String> env = Env.of(manifests.get("Deployment", "faultline-operator"));
        assertThat(env.get("FAULTLINE_WEBHOOK_CONFIGURATION_NAME")).isEqualTo(configuration.path("metadata").path("name").asText());
        assertThat(env.get("FAULTLINE_WEBHOOK_SERVICE_NAME")).isEqualTo(manifests.get("Service", "faultline-webhook").path("metadata").path("name").asText());

        JsonNode service = webhook.path("clientConfig").path("service");
        assertThat(service.path("name").asText()).isEqualTo("faultline-webhook");
        assertThat(service.path("namespace").asText()).isEqualTo(Chart.NAMESPACE);
        assertThat(service.path("port").asInt()).isEqualTo(443);
        // caBundle is the operator's to fill; without cert-manager nothing else may claim it.
        assertThat(webhook.path("clientConfig").has("caBundle")).isFalse();
        assertThat(configuration.path("metadata").has("annotations")).isFalse();
    }

    @Test
    void webhookServiceReachesTheOperatorsWebhookPort() {
        JsonNode service = manifests.get("Service", "faultline-webhook");
        JsonNode deployment = manifests.get("Deployment", "faultline-operator");

        JsonNode webhookPort = StreamSupport.stream(service.path("spec").path("ports").spliterator(), false)
                .filter(p -> p.path("port").asInt() == 443).findFirst().orElseThrow();
        assertThat(webhookPort.path("targetPort").asText()).isEqualTo("webhook");
        assertThat(service.path("spec").path("selector"))
                .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));
        assertThat(deployment.path("spec").path("template").path("metadata").path("labels").path("app.kubernetes.io/component").asText())
                .isEqualTo("operator");
    }

    @Test
    void disruptionBudgetKeepsOneOperatorUp() {
        JsonNode pdb = manifests.get("PodDisruptionBudget", "faultline-operator");
        assertThat(pdb.path("spec").path("minAvailable").asInt()).isEqualTo(1);
        assertThat(pdb.path("spec").path("selector").path("matchLabels"))
                .isEqualTo(manifests.get("Deployment", "faultline-operator").path("spec").path("selector").path("matchLabels"));
    }

    static Map<String, Integer> ports(JsonNode container) {
        Map<String, Integer> ports = new HashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        return ports;
    }

    static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).collect(Collectors.toList());
    }
}
