package io.faultline.operator.compiler;

import static io.faultline.operator.compiler.Sessions.inbound;
import static io.faultline.operator.compiler.Sessions.latency;
import static io.faultline.operator.compiler.Sessions.outbound;
import static io.faultline.operator.compiler.Sessions.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.faultline.crds.fault.BandwidthFault;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.qos.QosLatency;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.HttpMatch;
import io.faultline.crds.spec.ValueCondition;
import io.faultline.crds.spec.Sampling;
import io.faultline.crds.spec.Schedule;
import io.faultline.crds.spec.TargetProtocol;

class SessionValidatorTest {
    @Test
    void aGoodSpecHasNoProblems() {
        FaultSessionSpec spec = spec(List.of(inbound("http", 8080, TargetProtocol.HTTP), outbound("pay", "15001=http://payments:80")),
                latency("slow", "200ms", "http"));
        spec.schedule = new Schedule("2026-11-23T10:00:00Z", "15m");
        spec.sampling = new Sampling(Sampling.SamplingMode.Percent, 50);

        assertThat(SessionValidator.validate(spec)).isEmpty();
    }

    @Test
    void namesTheUnknownTargetAndTheKnownOnes() {
        FaultSessionSpec spec = spec(List.of(inbound("http", 8080, null), inbound("grpc", 9090, null)), latency("slow", "1s", "htp"));

        assertThat(SessionValidator.validate(spec))
                .containsExactly("spec.faults[0].targets[0]: unknown target 'htp'; known targets: grpc, http");
    }

    @Test
    void reportsAMappingThatDoesNotParse() {
        FaultSessionSpec spec = spec(List.of(outbound("pay", "payments:80")));

        assertThat(SessionValidator.validate(spec)).singleElement().asString()
                .startsWith("spec.targets[0].mapping: mapping 'payments:80' does not parse; expected LISTEN_PORT=");
    }

    @Test
    void requiresExactlyOneFaultKind() {
        FaultSpec two = latency("both", "1s");
        two.bandwidth = new BandwidthFault();
        two.bandwidth.rate = "1MiB";
        FaultSpec none = new FaultSpec();
        none.name = "none";

        assertThat(SessionValidator.validate(spec(List.of(inbound("http", 8080, null)), two, none))).containsExactly(
                "spec.faults[0]: exactly one fault kind must be set (latency, bandwidth, slicer, limitData, timeout, resetPeer,"
                        + " slowClose, down, loss, abort, headers, body, rateLimit, serverOverload, transient, drop, reset,"
                        + " requestControlled, slowBody, rewrite, tlsHandshakeFailure), found latency, bandwidth",
                "spec.faults[1]: exactly one fault kind must be set (latency, bandwidth, slicer, limitData, timeout, resetPeer,"
                        + " slowClose, down, loss, abort, headers, body, rateLimit, serverOverload, transient, drop, reset,"
                        + " requestControlled, slowBody, rewrite, tlsHandshakeFailure), found none");
    }

    @Test
    void catchesDuplicatesReservedNamesPortClashesAndBadValues() {
        FaultSessionSpec spec = spec(List.of(inbound("http", 8080, null), inbound("http", 8081, null), inbound("web", 8080, null)),
                latency("qos-latency", "1s"), latency("slow", "fast"));
        spec.sampling = new Sampling(Sampling.SamplingMode.Percent, 150);

        assertThat(SessionValidator.validate(spec)).containsExactlyInAnyOrder(
                "spec.sampling.value must be between 1 and 100 for mode Percent",
                "spec.targets[1].name 'http' is used by another target",
                "spec.targets[2]: listens on the same port as target 'http' (inbound:18080)",
                "spec.faults[0].name 'qos-latency': the prefix qos- is reserved for QoSProfile rules",
                "spec.faults[1].latency.fixed 'fast' is not a duration such as 250ms, 1.5s or 1m");
    }

    @Test
    void qosProfileJitterMustNotExceedTheMean() {
        QoSProfileSpec qos = new QoSProfileSpec();
        qos.latency = new QosLatency();
        qos.latency.mean = "10ms";
        qos.latency.jitter = "20ms";

        assertThat(QosProfileValidator.validate(qos)).containsExactly("spec.latency.jitter 20ms must not exceed spec.latency.mean 10ms");
        assertThat(QosProfileValidator.validate(new QoSProfileSpec())).singleElement().asString().contains("at least one of");
    }

    @Test
    void mappingParsesSchemesAndRejectsBadPorts() {
        OutboundMapping tls = OutboundMapping.parse("15002=tls://db:5432");
        assertThat(tls.sidecarUpstream()).isEqualTo("tls://db:5432");
        assertThat(tls.sidecarProtocol()).isEqualTo("tcp");
        assertThat(OutboundMapping.parse("15001=payments.shop.svc:8080").sidecarUpstream()).isEqualTo("payments.shop.svc:8080");
        assertThatThrownBy(() -> OutboundMapping.parse("70000=db:5432")).hasMessageContaining("listen port 70000 is outside 1..65535");
    }

    @Test
    void aFaultKindMustFitTheProtocolOfEachOfItsTargets() {
        FaultSpec bandwidthOnHttp = new FaultSpec();
        bandwidthOnHttp.name = "thin";
        bandwidthOnHttp.bandwidth = new BandwidthFault();
        bandwidthOnHttp.bandwidth.rate = "1MiB";
        bandwidthOnHttp.targets = List.of("web");
        FaultSpec dropOnTcp = new FaultSpec();
        dropOnTcp.name = "hang-up";
        dropOnTcp.drop = new io.faultline.crds.fault.DropFault();
        dropOnTcp.targets = List.of("db");
        FaultSpec latencyOnBoth = latency("slow", "1s");

        assertThat(SessionValidator.validate(spec(List.of(inbound("web", 8080, io.faultline.crds.spec.TargetProtocol.HTTP),
                outbound("db", "15432=db:5432")), bandwidthOnHttp, dropOnTcp, latencyOnBoth))).containsExactly(
                "spec.faults[0].bandwidth: a tcp fault cannot act on http target 'web'; http targets take latency or abort,"
                        + " headers, body, rateLimit, serverOverload, transient, drop, reset, requestControlled, slowBody,"
                        + " rewrite",
                "spec.faults[1].drop: needs an http target; target 'db' is tcp (set protocol: http, or an http:// mapping)");
    }

    /** Each regex passes the sidecar's own gate (RE2 syntax), and a bad one is named by its path with the sidecar's reason. */
    @Test
    void namesAMatchRegexThatDoesNotCompile() {
        FaultSpec first = latency("fine", "1s");
        first.match = new HttpMatch();
        first.match.pathRegex = "/api/v[0-9]+/.*";
        FaultSpec second = latency("also-fine", "1s");
        FaultSpec third = latency("broken", "1s");
        third.match = new HttpMatch();
        third.match.pathRegex = "/api/(v1";
        third.match.headers = new LinkedHashMap<>(Map.of("user-agent", ValueCondition.regex("*Android")));
        third.match.query = Map.of("sort", ValueCondition.regex("asc|desc"));

        assertThat(SessionValidator.validate(spec(List.of(inbound("web", 8080, TargetProtocol.HTTP)), first, second, third)))
                .containsExactly(
                        "spec.faults[2].match.pathRegex '/api/(v1' is not accepted: missing closing ) `/api/(v1`"
                                + " (RE2 syntax, matched in linear time: no backreferences or lookaround)",
                        "spec.faults[2].match.headers.user-agent.regex '*Android' is not accepted: missing argument to"
                                + " repetition operator `*` (RE2 syntax, matched in linear time: no backreferences or lookaround)");
    }

    /** What Java's engine takes and RE2 does not (backtracking constructs) fails the session, as the sidecar would. */
    @Test
    void refusesBacktrackingConstructsAndOversizedPatternsAsTheSidecarDoes() {
        FaultSpec lookahead = latency("lookahead", "1s");
        lookahead.match = new HttpMatch();
        lookahead.match.pathRegex = "/api/(?!internal).*";
        FaultSpec backreference = latency("backreference", "1s");
        backreference.match = new HttpMatch();
        backreference.match.query = Map.of("a", ValueCondition.regex("(x)\\1"));
        FaultSpec huge = new FaultSpec();
        huge.name = "huge";
        huge.rewrite = new io.faultline.crds.fault.RewriteFault();
        huge.rewrite.pathRegex = "(\\w{1,30}){1,30}";
        huge.rewrite.replacement = "/x";
        FaultSpec nested = latency("nested", "1s");
        nested.match = new HttpMatch();
        nested.match.pathRegex = "(a+)+$"; // fine: linear whatever the nesting

        assertThat(SessionValidator.validate(spec(List.of(inbound("web", 8080, TargetProtocol.HTTP)),
                lookahead, backreference, huge, nested))).containsExactly(
                "spec.faults[0].match.pathRegex '/api/(?!internal).*' is not accepted: lookahead (?!...) is not supported"
                        + " (RE2 syntax, matched in linear time: no backreferences or lookaround)",
                "spec.faults[1].match.query.a.regex '(x)\\1' is not accepted: backreferences such as \\1 are not supported"
                        + " (RE2 syntax, matched in linear time: no backreferences or lookaround)",
                "spec.faults[2].rewrite.pathRegex '(\\w{1,30}){1,30}' is too large: it compiles to 1861 instructions,"
                        + " at most 1000 are accepted (counted repetitions multiply: (a{10}){10} is about 100)");
    }

    @Test
    void matchConditionsFollowTheSidecarsShape() {
        FaultSpec fault = latency("slow", "1s");
        fault.match = new HttpMatch();
        fault.match.path = "api/**";
        fault.match.pathRegex = "/api/.*";
        ValueCondition two = ValueCondition.exact("free");
        two.present = true;
        fault.match.headers = Map.of("x-tier", two);
        fault.match.query = Map.of("q", new ValueCondition());
        fault.match.exclude = List.of("healthz");
        fault.match.methods = List.of("GET", "NOT A METHOD");

        assertThat(SessionValidator.validate(spec(List.of(inbound("web", 8080, TargetProtocol.HTTP)), fault))).containsExactly(
                "spec.faults[0].match.methods[1] 'NOT A METHOD' is not an HTTP method; expected e.g. GET, POST",
                "spec.faults[0].match: give path (a glob) or pathRegex, not both",
                "spec.faults[0].match.path 'api/**' must start with '/'; globs: * = one segment, ** = any",
                "spec.faults[0].match.headers.x-tier: give exactly one of exact (a value), regex (full match) or present (true|false)",
                "spec.faults[0].match.query.q: give exactly one of exact (a value), regex (full match) or present (true|false)",
                "spec.faults[0].match.exclude[0] 'healthz' must be a path glob starting with '/'");
    }

    /** Sessions stored before conditions were objects ({x-tier: free}) still read, as exact values. */
    @Test
    void aPlainStringHeaderConditionReadsAsAnExactValue() {
        HttpMatch match = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
                "{\"headers\": {\"x-tier\": \"free\", \"x-debug\": {\"present\": false}}}", HttpMatch.class);

        assertThat(match.headers.get("x-tier").exact).isEqualTo("free");
        assertThat(match.headers.get("x-debug").present).isFalse();
    }
}
