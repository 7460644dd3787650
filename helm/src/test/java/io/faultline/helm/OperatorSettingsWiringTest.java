package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every FAULTLINE_* variable the chart sets is a property the operator really reads (a @ConfigMapping in its
 * sources), so a renamed setting cannot silently stop working; and every QUARKUS_* variable is one we know.
 */
class OperatorSettingsWiringTest {
    /** Quarkus/operator-SDK properties the chart sets, each with where it comes from. */
    private static final Map<String, String> QUARKUS_PROPERTIES = Map.of(
            "QUARKUS_OPERATOR_SDK_NAMESPACES", "quarkus.operator-sdk.namespaces (RunTimeOperatorConfiguration.namespaces)",
            "QUARKUS_MICROMETER_EXPORT_PROMETHEUS_ENABLED", "quarkus.micrometer.export.prometheus.enabled (operator application.properties)",
            "QUARKUS_LOG_LEVEL", "quarkus.log.level (Quarkus core)");

    private static final Map<String, Object> EVERY_OPTIONAL_VARIABLE = Map.of(
            "operator.watchNamespaces[0]", "shop", "sidecar.resources.limits.cpu", "1");

    @Test
    void operatorConfigurationIsReadFromTheSources() {
        assertThat(OperatorConfigKeys.properties()).as("the parser finds the known settings")
                .contains("faultline.kill-switch", "faultline.cleanup-timeout", "faultline.sidecar.default-admin-port",
                        "faultline.sidecar.token-file", "faultline.sidecar.push-attempts");
    }

    @Test
    void everyFaultlineVariableIsAnOperatorProperty() {
        Set<String> known = OperatorConfigKeys.environmentVariables();
        Set<String> set = faultlineVariables().stream().filter(v -> !v.startsWith("FAULTLINE_INJECTION_") && !v.startsWith("FAULTLINE_WEBHOOK_"))
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(set).contains("FAULTLINE_KILL_SWITCH", "FAULTLINE_SIDECAR_DEFAULT_ADMIN_PORT");
        assertThat(known).as("operator properties (from @ConfigMapping interfaces)").containsAll(set);
    }

    @Test
    void everyInjectionVariableIsAWebhookProperty() {
        Set<String> known = OperatorConfigKeys.environmentVariables();
        Assumptions.assumeTrue(known.stream().anyMatch(v -> v.startsWith("FAULTLINE_INJECTION_")),
                "the injection webhook (faultline.injection.*, branch webhook) is not in this tree yet");
        Set<String> set = faultlineVariables().stream().filter(v -> v.startsWith("FAULTLINE_INJECTION_"))
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(known).as("webhook properties (InjectionConfig)").containsAll(set);
    }

    @Test
    void everyWebhookEndpointVariableIsAWebhookProperty() {
        Set<String> known = OperatorConfigKeys.environmentVariables();
        Assumptions.assumeTrue(known.stream().anyMatch(v -> v.startsWith("FAULTLINE_WEBHOOK_")),
                "the webhook's endpoint settings (faultline.webhook.*, WebhookConfig on branch webhook) are not in this tree yet");
        Set<String> set = faultlineVariables().stream().filter(v -> v.startsWith("FAULTLINE_WEBHOOK_"))
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(known).as("webhook endpoint properties (WebhookConfig)").containsAll(set);
    }

    @Test
    void everyQuarkusVariableIsAKnownProperty() {
        Set<String> quarkus = Env.of(Chart.render(EVERY_OPTIONAL_VARIABLE).get("Deployment", "faultline-operator")).keySet().stream()
                .filter(v -> v.startsWith("QUARKUS_")).collect(Collectors.toSet());

        assertThat(QUARKUS_PROPERTIES.keySet()).containsAll(quarkus);
        assertThat(Repo.read(Repo.ROOT.resolve("operator/src/main/resources/application.properties")))
                .contains("quarkus.micrometer.export.prometheus.enabled");
    }

    private static Set<String> faultlineVariables() {
        return Env.of(Chart.render(EVERY_OPTIONAL_VARIABLE).get("Deployment", "faultline-operator")).keySet().stream()
                .filter(v -> v.startsWith("FAULTLINE_")).collect(Collectors.toCollection(TreeSet::new));
    }
}
