package io.faultline.helm;

import static io.faultline.helm.ChartDefaultsTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Non-default values reach the objects (and the operator's settings) they are documented to change. */
class ChartCustomValuesTest {

    @Test
    void operatorAndSidecarSettingsReachTheOperatorsEnvironment() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("operator.replicas", 3);
        values.put("operator.killSwitch", true);
        values.put("operator.logLevel", "DEBUG");
        values.put("operator.image.repository", "registry.example.com/chaos/operator");
        values.put("operator.image.tag", "1.2.3");
        values.put("sidecar.image.tag", "1.2.4");
        values.put("sidecar.initImage.digest", "sha256:" + "a".repeat(64));
        values.put("sidecar.adminPort", 16000);
        values.put("sidecar.interception", "transparent");
        values.put("sidecar.nativeSidecar", true);
        values.put("sidecar.resources.limits.cpu", "500m");
        values.put("metrics.enabled", false);
        values.put("operator.extraEnv[0].name", "FAULTLINE_CLEANUP_TIMEOUT");
        values.put("operator.extraEnv[0].value", "2m");

        Manifests manifests = Chart.render(values);
        JsonNode deployment = manifests.get("Deployment", "faultline-operator");
        Map<String, String> env = Env.of(deployment);

        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(deployment.path("spec").path("template").path("spec").path("containers").get(0).path("image").asText())
                .isEqualTo("registry.example.com/chaos/operator:1.2.3");
        assertThat(env).containsEntry("FAULTLINE_KILL_SWITCH", "true")
                .containsEntry("QUARKUS_LOG_LEVEL", "DEBUG")
                .containsEntry("FAULTLINE_INJECTION_IMAGE", "ghcr.io/faultline/faultline-sidecar:1.2.4")
                .containsEntry("FAULTLINE_INJECTION_INIT_IMAGE", "ghcr.io/faultline/faultline-init@sha256:" + "a".repeat(64))
                .containsEntry("FAULTLINE_SIDECAR_DEFAULT_ADMIN_PORT", "16000")
                .containsEntry("FAULTLINE_INJECTION_INTERCEPTION", "transparent")
                .containsEntry("FAULTLINE_INJECTION_NATIVE_SIDECAR", "true")
                .containsEntry("FAULTLINE_INJECTION_CPU_LIMIT", "500m")
                .containsEntry("QUARKUS_MICROMETER_EXPORT_PROMETHEUS_ENABLED", "false")
                .containsEntry("FAULTLINE_CLEANUP_TIMEOUT", "2m");
        assertThat(manifests.find("PodDisruptionBudget", "faultline-operator")).isPresent();
    }

    @Test
    void watchedNamespacesGetRoleBindingsInsteadOfAClusterWideGrant() {
        Manifests manifests = Chart.render(Map.of("operator.watchNamespaces[0]", "shop", "operator.watchNamespaces[1]", "payments"));

        assertThat(Env.of(manifests.get("Deployment", "faultline-operator")))
                .containsEntry("QUARKUS_OPERATOR_SDK_NAMESPACES", "shop,payments");
        assertThat(manifests.find("ClusterRoleBinding", "faultline-operator")).as("no cluster-wide grant of the namespaced rules").isEmpty();
        List<JsonNode> bindings = manifests.ofKind("RoleBinding").stream()
                .filter(b -> b.path("metadata").path("name").asText().equals("faultline-operator")).toList();
        assertThat(bindings).extracting(b -> b.path("metadata").path("namespace").asText()).containsExactly("shop", "payments");
        for (JsonNode binding : bindings) {
            assertThat(binding.path("roleRef").path("kind").asText()).isEqualTo("ClusterRole");
            assertThat(binding.path("roleRef").path("name").asText()).isEqualTo("faultline-operator");
            assertThat(binding.path("subjects").get(0).path("namespace").asText()).isEqualTo(Chart.NAMESPACE);
        }
        // Namespaces (the kill-switch annotation) are cluster-scoped: still read cluster-wide.
        assertThat(manifests.find("ClusterRoleBinding", "faultline-operator-cluster")).isPresent();
    }

    @Test
    void certManagerIssuesTheServingCertificateAndInjectsTheCa() {
        Manifests manifests = Chart.render(Map.of("webhook.certManager.enabled", true));

        JsonNode configuration = manifests.get("MutatingWebhookConfiguration", "faultline-webhook");
        assertThat(configuration.path("metadata").path("annotations").path("cert-manager.io/inject-ca-from").asText())
                .isEqualTo("faultline-system/faultline-webhook");
        JsonNode certificate = manifests.get("Certificate", "faultline-webhook");
        assertThat(texts(certificate.path("spec").path("dnsNames"))).contains("faultline-webhook.faultline-system.svc");
        assertThat(certificate.path("spec").path("secretName").asText()).isEqualTo("faultline-webhook-certs");
        Map<String, String> env = Env.of(manifests.get("Deployment", "faultline-operator"));
        assertThat(env).containsEntry("FAULTLINE_WEBHOOK_CERT_MANAGER", "true")
                .containsEntry("FAULTLINE_WEBHOOK_CERT_SECRET_NAME", "faultline-webhook-certs");
        assertThat(certificate.path("spec").path("issuerRef").path("name").asText()).isEqualTo("faultline-webhook-selfsigned");
        assertThat(manifests.get("Issuer", "faultline-webhook-selfsigned").path("spec").has("selfSigned")).isTrue();
    }

    @Test
    void certManagerCanUseAnExistingClusterIssuer() {
        Manifests manifests = Chart.render(Map.of("webhook.certManager.enabled", true,
                "webhook.certManager.issuerRef.name", "corp-ca", "webhook.certManager.issuerRef.kind", "ClusterIssuer"));

        JsonNode issuerRef = manifests.get("Certificate", "faultline-webhook").path("spec").path("issuerRef");
        assertThat(issuerRef.path("name").asText()).isEqualTo("corp-ca");
        assertThat(issuerRef.path("kind").asText()).isEqualTo("ClusterIssuer");
        assertThat(manifests.ofKind("Issuer")).isEmpty();
    }

    @Test
    void webhookSettingsAndExtraExcludedNamespaces() {
        Manifests manifests = Chart.render(Map.of("webhook.timeoutSeconds", 3, "webhook.path", "/inject",
                "webhook.excludedNamespaces[0]", "monitoring", "webhook.port", 9443));

        JsonNode webhook = manifests.get("MutatingWebhookConfiguration", "faultline-webhook").path("webhooks").get(0);
        assertThat(webhook.path("timeoutSeconds").asInt()).isEqualTo(3);
        assertThat(webhook.path("clientConfig").path("service").path("path").asText()).isEqualTo("/inject");
        assertThat(texts(webhook.path("namespaceSelector").path("matchExpressions").get(1).path("values"))).contains("monitoring", "kube-system");
        assertThat(webhook.path("failurePolicy").asText()).isEqualTo("Ignore");
        assertThat(ChartDefaultsTest.ports(manifests.get("Deployment", "faultline-operator")
                .path("spec").path("template").path("spec").path("containers").get(0))).containsEntry("webhook", 9443);
    }

    @Test
    void serviceMonitorScrapesTheMetricsPort() {
        Manifests manifests = Chart.render(Map.of("metrics.serviceMonitor.enabled", true,
                "metrics.serviceMonitor.labels.release", "prometheus"));

        JsonNode monitor = manifests.get("ServiceMonitor", "faultline-operator");
        assertThat(monitor.path("metadata").path("labels").path("release").asText()).isEqualTo("prometheus");
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertThat(endpoint.path("port").asText()).isEqualTo("http");
        assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
        // Its selector must match the Service's labels.
        JsonNode serviceLabels = manifests.get("Service", "faultline-webhook").path("metadata").path("labels");
        monitor.path("spec").path("selector").path("matchLabels").fields()
                .forEachRemaining(label -> assertThat(serviceLabels.path(label.getKey()).asText()).as(label.getKey())
                        .isEqualTo(label.getValue().asText()));
        // No metrics, no ServiceMonitor.
        assertThat(Chart.render(Map.of("metrics.serviceMonitor.enabled", true, "metrics.enabled", false))
                .ofKind("ServiceMonitor")).isEmpty();
    }

    @Test
    void networkPolicyOpensTheWebhookAndMetricsPortsAndTheSidecarAdminPort() {
        Manifests manifests = Chart.render(Map.of("networkPolicy.enabled", true, "sidecar.adminPort", 16000));

        JsonNode policy = manifests.get("NetworkPolicy", "faultline-operator").path("spec");
        assertThat(texts(policy.path("policyTypes"))).containsExactly("Ingress", "Egress");
        assertThat(policy.path("ingress").findValuesAsText("port")).containsExactly("webhook", "http");
        assertThat(policy.path("egress").get(0).path("ports").findValuesAsText("port")).contains("443", "53", "16000");
    }

    @Test
    void optionalObjectsCanBeTurnedOff() {
        Manifests manifests = Chart.render(Map.of("operator.podDisruptionBudget.enabled", false));

        assertThat(manifests.ofKind("PodDisruptionBudget")).isEmpty();
        assertThat(manifests.ofKind("ServiceMonitor")).isEmpty();
        assertThat(manifests.ofKind("NetworkPolicy")).isEmpty();
    }
}
