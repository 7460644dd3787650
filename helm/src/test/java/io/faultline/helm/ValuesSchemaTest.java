package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** values.schema.json rejects bad values before anything is rendered, and the message names the key. */
class ValuesSchemaTest {

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("operator.replicas", 0, "/operator/replicas"),
                Arguments.of("operator.replicas", "two", "/operator/replicas"),
                Arguments.of("operator.killSwitch", "yes", "/operator/killSwitch"),
                Arguments.of("operator.logFormat", "xml", "/operator/logFormat"),
                Arguments.of("operator.logLevel", "VERBOSE", "/operator/logLevel"),
                Arguments.of("operator.watchNamespaces[0]", "Shop_NS", "/operator/watchNamespaces/0"),
                Arguments.of("operator.image.tag", "1.0 beta", "/operator/image/tag"),
                Arguments.of("operator.image.digest", "sha256:abc", "/operator/image/digest"),
                Arguments.of("operator.image.pullPolicy", "Sometimes", "/operator/image/pullPolicy"),
                Arguments.of("operator.resources.requests.memory", "lots", "/operator/resources/requests/memory"),
                Arguments.of("operator.replica", 2, "replica"),
                Arguments.of("sidecar.adminPort", 80, "/sidecar/adminPort"),
                Arguments.of("sidecar.adminPort", 70000, "/sidecar/adminPort"),
                Arguments.of("sidecar.interception", "iptables", "/sidecar/interception"),
                Arguments.of("sidecar.nativeSidecar", "maybe", "/sidecar/nativeSidecar"),
                Arguments.of("sidecar.resources.limits.memory", "128 MB", "/sidecar/resources/limits/memory"),
                Arguments.of("sidecar.resources.requests.memory", "", "/sidecar/resources/requests/memory"),
                Arguments.of("webhook.timeoutSeconds", 30, "/webhook/timeoutSeconds"),
                Arguments.of("webhook.path", "inject", "/webhook/path"),
                Arguments.of("webhook.certManager.enabled", "on", "/webhook/certManager/enabled"),
                Arguments.of("webhook.certManager.issuerRef.kind", "ClusterIssuer", "/webhook/certManager/issuerRef"),
                Arguments.of("webhook.certManager.duration", "1 year", "/webhook/certManager/duration"),
                Arguments.of("metrics.serviceMonitor.interval", "often", "/metrics/serviceMonitor/interval"),
                Arguments.of("networkPolicy.enable", true, "enable"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void rejectsABadValueNamingTheKey(String key, Object value, String expectedInMessage) {
        assertThatThrownBy(() -> Chart.renderText(Map.of(key, value)))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(expectedInMessage);
    }
}
