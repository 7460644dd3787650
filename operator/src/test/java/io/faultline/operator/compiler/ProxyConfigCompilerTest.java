package io.faultline.operator.compiler;

import static io.faultline.operator.compiler.Sessions.active;
import static io.faultline.operator.compiler.Sessions.inactive;
import static io.faultline.operator.compiler.Sessions.inbound;
import static io.faultline.operator.compiler.Sessions.latency;
import static io.faultline.operator.compiler.Sessions.outbound;
import static io.faultline.operator.compiler.Sessions.spec;
import static io.faultline.operator.compiler.Sessions.withQos;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.faultline.crds.common.Distribution;
import io.faultline.crds.fault.AbortFault;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.qos.QosBandwidth;
import io.faultline.crds.qos.QosLatency;
import io.faultline.crds.qos.QosLoss;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.TargetProtocol;
import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.ProxyConfig;

class ProxyConfigCompilerTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Instant EXPIRY = Instant.parse("2026-11-23T10:15:00Z");

    @Test
    void compilesTargetsToListenersAndFaultsToPrefixedRules() {
        ResolvedSession session = active("checkout-degraded", T0, spec(
                List.of(inbound("http", 8080, TargetProtocol.HTTP), outbound("payments", "15001=http://payments:80")),
                latency("slow-search", "200ms", "http")), EXPIRY);

        PodConfig config = ProxyConfigCompiler.compile(List.of(session), null);
        JsonNode json = config.json();

        assertThat(json.get("version").asText()).isEqualTo(config.version()).hasSize(16);
        assertThat(json.get("expiresAt").asText()).isEqualTo("2026-11-23T10:15:00Z");
        assertThat(json.get("listeners")).hasSize(2);
        assertThat(json.at("/listeners/0").toString())
                .isEqualTo("{\"name\":\"http\",\"listen\":\"0.0.0.0:18080\",\"upstream\":\"127.0.0.1:8080\",\"protocol\":\"http\"}");
        assertThat(json.at("/listeners/1").toString())
                .isEqualTo("{\"name\":\"payments\",\"listen\":\"127.0.0.1:15001\",\"upstream\":\"payments:80\",\"protocol\":\"http\"}");
        assertThat(json.at("/rules/0").toString())
                .isEqualTo("{\"name\":\"checkout-degraded.slow-search\",\"listeners\":[\"http\"],\"latency\":{\"fixed\":\"200ms\"}}");
        assertThat(config.conflicts()).isEmpty();
    }

    @Test
    void aFaultWithoutTargetsAppliesToEveryTargetOfItsSessionOnly() {
        FaultSpec everywhere = latency("slow", "10ms");
        everywhere.probability = 0.3;
        ResolvedSession a = active("a", T0, spec(List.of(inbound("web", 8080, null), inbound("admin", 9090, null)), everywhere), null);
        ResolvedSession b = active("b", T0.plusSeconds(1), spec(List.of(inbound("grpc", 7070, null))), null);

        JsonNode rule = ProxyConfigCompiler.compile(List.of(a, b), null).json().at("/rules/0");

        assertThat(rule.get("listeners").toString()).isEqualTo("[\"web\",\"admin\"]");
        assertThat(rule.get("probability").asDouble()).isEqualTo(0.3);
    }

    @Test
    void inactiveSessionsKeepTheirListenersButContributeNoRulesAndNoExpiry() {
        ResolvedSession session = inactive(active("s", T0, spec(List.of(inbound("http", 8080, null)), latency("slow", "1s")), EXPIRY));

        JsonNode json = ProxyConfigCompiler.compile(List.of(session), null).json();

        assertThat(json.get("listeners")).hasSize(1);
        assertThat(json.get("rules")).isEmpty();
        assertThat(json.has("expiresAt")).isFalse();
    }

    @Test
    void versionIsAContentHashIndependentOfSessionOrder() {
        ResolvedSession a = active("a", T0, spec(List.of(inbound("http", 8080, null)), latency("slow", "1s")), EXPIRY);
        ResolvedSession b = active("b", T0.plusSeconds(5), spec(List.of(inbound("http", 8080, null)), latency("slower", "2s")), null);

        String ab = ProxyConfigCompiler.compile(List.of(a, b), null).version();
        String ba = ProxyConfigCompiler.compile(List.of(b, a), null).version();
        ResolvedSession aEdited = active("a", T0, spec(List.of(inbound("http", 8080, null)), latency("slow", "1500ms")), EXPIRY);
        String edited = ProxyConfigCompiler.compile(List.of(aEdited, b), null).version();

        assertThat(ab).isEqualTo(ba).isNotEqualTo(edited);
    }

    @Test
    void mergesSessionsSharingATargetAndTakesTheEarliestExpiry() {
        ResolvedSession older = active("older", T0, spec(List.of(inbound("http", 8080, null)), latency("slow", "1s")),
                EXPIRY.plusSeconds(600));
        ResolvedSession newer = active("newer", T0.plusSeconds(1), spec(List.of(inbound("web", 8080, null)), latency("slow", "2s")),
                EXPIRY);

        PodConfig config = ProxyConfigCompiler.compile(List.of(newer, older), null);
        JsonNode json = config.json();

        assertThat(json.get("listeners")).hasSize(1);
        assertThat(json.at("/listeners/0/name").asText()).isEqualTo("http");
        assertThat(json.at("/rules/0/name").asText()).isEqualTo("older.slow");
        assertThat(json.at("/rules/1/name").asText()).isEqualTo("newer.slow");
        assertThat(json.at("/rules/1/listeners/0").asText()).isEqualTo("http");
        assertThat(config.expiresAt()).isEqualTo(EXPIRY);
    }

    @Test
    void onAListenPortClashTheOlderSessionWinsAndTheNewerOneIsToldWhy() {
        ResolvedSession older = active("older", T0, spec(List.of(inbound("http", 8080, TargetProtocol.HTTP)), latency("slow", "1s")), null);
        ResolvedSession newer = active("newer", T0.plusSeconds(1),
                spec(List.of(outbound("db", "18080=db:5432"), inbound("metrics", 9090, null)), latency("slow", "2s", "db")), null);

        PodConfig config = ProxyConfigCompiler.compile(List.of(older, newer), "0.0.0.0");

        assertThat(config.json().get("listeners")).hasSize(2); // older's http + newer's metrics
        assertThat(config.json().get("rules")).hasSize(1);
        assertThat(config.json().at("/rules/0/name").asText()).isEqualTo("older.slow");
        assertThat(config.conflicts()).containsOnlyKeys("newer");
        assertThat(config.conflicts().get("newer").get(0)).contains("target 'db'", "0.0.0.0:18080", "session 'older'");
    }

    @Test
    void clashingListenerNamesGetTheirPortAppended() {
        ResolvedSession a = active("a", T0, spec(List.of(inbound("http", 8080, null))), null);
        ResolvedSession b = active("b", T0.plusSeconds(1), spec(List.of(inbound("http", 8081, null)), latency("slow", "1s")), null);

        JsonNode json = ProxyConfigCompiler.compile(List.of(a, b), null).json();

        assertThat(json.at("/listeners/1/name").asText()).isEqualTo("http-18081");
        assertThat(json.at("/rules/0/listeners/0").asText()).isEqualTo("http-18081");
    }

    @Test
    void qosProfileBecomesRulesOnEveryTargetAndAConnectionLimit() {
        QoSProfileSpec qos = new QoSProfileSpec();
        qos.latency = new QosLatency();
        qos.latency.mean = "150ms";
        qos.latency.jitter = "40ms";
        qos.latency.distribution = Distribution.PARETO_NORMAL;
        qos.bandwidth = new QosBandwidth();
        qos.bandwidth.upstream = "384Kbps";
        qos.bandwidth.downstream = "2Mbps";
        qos.connectionLimit = 10;
        ResolvedSession session = withQos(active("s", T0,
                spec(List.of(inbound("http", 8080, null), outbound("pay", "15001=payments:80"))), null), qos);

        JsonNode json = ProxyConfigCompiler.compile(List.of(session), null).json();

        assertThat(json.at("/listeners/0/maxConnections").asInt()).isEqualTo(10);
        assertThat(json.at("/rules/0").toString()).isEqualTo("{\"name\":\"s.qos-latency\",\"listeners\":[\"http\",\"pay\"],"
                + "\"stream\":\"downstream\",\"latency\":{\"fixed\":\"150ms\",\"jitter\":\"40ms\",\"distribution\":\"paretoNormal\"}}");
        assertThat(json.at("/rules/1").toString()).isEqualTo("{\"name\":\"s.qos-bandwidth-up\",\"listeners\":[\"http\",\"pay\"],"
                + "\"stream\":\"upstream\",\"bandwidth\":{\"rate\":\"384Kbps\"}}");
        assertThat(json.at("/rules/2/name").asText()).isEqualTo("s.qos-bandwidth-down");
    }

    /**
     * On http targets the profile acts per request: bandwidth also becomes slowBody rules (request and response bodies),
     * on the http listeners only; the bandwidth and loss rules stay on every listener (on an http one they act on
     * upgraded connections). The sidecar's own parser accepts the result.
     */
    @Test
    void qosProfileOnHttpTargetsPacesBodiesAndKeepsTheTcpFormsForUpgradedConnections() {
        QoSProfileSpec qos = new QoSProfileSpec();
        qos.latency = new QosLatency();
        qos.latency.mean = "150ms";
        qos.bandwidth = new QosBandwidth();
        qos.bandwidth.upstream = "384Kbps";
        qos.bandwidth.downstream = "2Mbps";
        qos.loss = new QosLoss();
        qos.loss.probability = 0.02;
        qos.connectionLimit = 10;
        ResolvedSession session = withQos(active("s", T0, spec(List.of(inbound("web", 8080, TargetProtocol.HTTP),
                outbound("pay", "15001=payments:80"), outbound("api", "15002=http://api:80"))), null), qos);

        JsonNode json = ProxyConfigCompiler.compile(List.of(session), null).json();

        Map<String, String> rules = new java.util.LinkedHashMap<>();
        json.get("rules").forEach(rule -> rules.put(rule.get("name").asText(), rule.toString()));
        assertThat(rules.keySet()).containsExactly("s.qos-latency", "s.qos-bandwidth-up", "s.qos-bandwidth-down",
                "s.qos-body-rate-up", "s.qos-body-rate-down", "s.qos-loss");
        assertThat(rules.get("s.qos-latency")).contains("\"listeners\":[\"web\",\"pay\",\"api\"]");
        assertThat(rules.get("s.qos-body-rate-up")).isEqualTo("{\"name\":\"s.qos-body-rate-up\",\"listeners\":[\"web\",\"api\"],"
                + "\"stream\":\"upstream\",\"slowBody\":{\"rate\":\"384Kbps\"}}");
        assertThat(rules.get("s.qos-body-rate-down")).isEqualTo("{\"name\":\"s.qos-body-rate-down\",\"listeners\":[\"web\",\"api\"],"
                + "\"stream\":\"downstream\",\"slowBody\":{\"rate\":\"2Mbps\"}}");
        assertThat(rules.get("s.qos-loss")).contains("\"listeners\":[\"web\",\"pay\",\"api\"]");
        json.get("listeners").forEach(listener -> assertThat(listener.get("maxConnections").asInt()).isEqualTo(10));

        ProxyConfig parsed = ConfigParser.parse(json); // would throw, naming the rule, on a fault that does not fit
        assertThat(parsed.rules()).hasSize(6);
        assertThat(QosCoverage.gaps("flaky-3g", qos, session.spec())).containsExactly("QoSProfile 'flaky-3g' loss is not applied"
                + " to HTTP requests on http targets 'web', 'api': HTTP has no per-request form of packet loss; it acts only on"
                + " connections upgraded to WebSocket");
    }

    @Test
    void qosProfileOnTcpTargetsOnlyIsUnchangedAndComplete() {
        QoSProfileSpec qos = new QoSProfileSpec();
        qos.bandwidth = new QosBandwidth();
        qos.bandwidth.downstream = "2Mbps";
        qos.loss = new QosLoss();
        qos.loss.probability = 0.02;
        ResolvedSession session = withQos(active("s", T0, spec(List.of(inbound("db", 5432, null))), null), qos);

        JsonNode json = ProxyConfigCompiler.compile(List.of(session), null).json();

        assertThat(json.findValuesAsText("name")).containsExactly("db", "s.qos-bandwidth-down", "s.qos-loss");
        assertThat(QosCoverage.gaps("p", qos, session.spec())).isEmpty();
    }

    @Test
    void abortSettingsUseTheSidecarsFieldNames() {
        FaultSpec abort = new FaultSpec();
        abort.name = "errors";
        abort.abort = new AbortFault();
        abort.abort.httpStatus = 503;
        abort.abort.headers = Map.of("retry-after", "1");
        ResolvedSession session = active("s", T0, spec(List.of(inbound("http", 8080, TargetProtocol.HTTP)), abort), null);

        JsonNode rule = ProxyConfigCompiler.compile(List.of(session), null).json().at("/rules/0");

        assertThat(rule.get("abort").toString()).isEqualTo("{\"status\":503,\"headers\":{\"retry-after\":\"1\"}}");
    }

    @Test
    void noSessionsMeansAnEmptyConfig() {
        PodConfig config = ProxyConfigCompiler.compile(List.of(), null);
        assertThat(config.json().get("listeners")).isEmpty();
        assertThat(config.json().get("rules")).isEmpty();
        assertThat(config.version()).isNotBlank();
    }

    @Test
    void longRuleNamesAreShortenedButStayDistinct() {
        String longSession = "a-very-long-session-name-that-goes-on-and-on-and-on-for-ever-and-ever";
        String one = RuleNames.of(longSession, "latency");
        String two = RuleNames.of(longSession + "-2", "latency");
        assertThat(one).hasSizeLessThanOrEqualTo(63).endsWith(".latency").isNotEqualTo(two);
        assertThat(RuleNames.of("short", "f")).isEqualTo("short.f");
    }
}
