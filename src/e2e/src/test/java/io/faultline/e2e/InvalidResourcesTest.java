package io.faultline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.Config;
import io.faultline.kube.testkit.ApplyException;
import io.faultline.kube.testkit.KubeApiServer;
import io.faultline.kube.testkit.Kubectl;
import io.faultline.kube.testkit.ServerSideApply;
import io.faultline.kube.testkit.WithKubeApiServer;

/**
 * The API server refuses every kind of bad FaultSession and QoSProfile with a message that says what is wrong and
 * where: each CEL rule with its own message (never a CEL evaluation error such as "no such key"), each enum, bound,
 * pattern, type and required field. One resource per row, applied server-side; the valid resource each row breaks is
 * accepted.
 */
@WithKubeApiServer
class InvalidResourcesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SESSION = """
            {"apiVersion": "faultline.io/v1alpha1", "kind": "FaultSession", "metadata": {"name": "base"},
             "spec": {
               "selector": {"matchLabels": {"app": "checkout"}},
               "targets": [{"name": "http", "port": 8080, "protocol": "http"},
                           {"name": "payments", "mapping": "15001=http://payments:80"}],
               "faults": [{"name": "slow", "targets": ["http"], "probability": 0.5,
                           "latency": {"fixed": "200ms", "jitter": "50ms", "distribution": "normal"}}]}}
            """;
    private static final String PROFILE = """
            {"apiVersion": "faultline.io/v1alpha1", "kind": "QoSProfile", "metadata": {"name": "base"},
             "spec": {"latency": {"mean": "150ms", "jitter": "40ms", "distribution": "normal"},
                      "bandwidth": {"upstream": "384Kbps", "downstream": "2Mbps"},
                      "loss": {"probability": 0.02}, "connectionLimit": 100}}
            """;
    private static String namespace;
    /** No retries: fabric8 retries a 500 with back-off, and server-side apply answers type mismatches with 500. */
    private static ServerSideApply apply;

    @BeforeAll
    static void crdsAndNamespace(KubeApiServer server) {
        FaultlineCrds.install(server);
        namespace = server.createNamespace("invalid");
        Config config = server.adminConfig();
        config.setRequestRetryBackoffLimit(0);
        apply = ServerSideApply.with(server.newClient(config)).inNamespace(namespace);
    }

    /** A row: what is broken, how, and the field and message the API server must answer with. */
    record Row(String what, String kind, Consumer<ObjectNode> breakIt, int code, String field, String message) {
        @Override
        public String toString() {
            return kind + ": " + what;
        }
    }

    static Stream<Row> rows() {
        List<Row> rows = new ArrayList<>();
        // CEL rules, each answered with its own message.
        rows.add(session("two fault kinds", s -> fault(s).putObject("down"), "spec.faults[0]",
                "exactly one fault kind must be set: latency, bandwidth"));
        rows.add(session("no fault kind", s -> fault(s).remove("latency"), "spec.faults[0]",
                "exactly one fault kind must be set"));
        rows.add(session("duplicate target names", s -> target(s, 1).put("name", "http"), "spec",
                "target names must be unique"));
        rows.add(session("duplicate fault names", s -> faults(s).add(fault(s).deepCopy()), "spec",
                "fault names must be unique"));
        rows.add(session("fault names an unknown target", s -> fault(s).putArray("targets").add("nope"), "spec",
                "every name in a fault's targets must be the name of one of spec.targets"));
        rows.add(session("target with port and mapping", s -> target(s, 0).put("mapping", "15002=x:80"),
                "spec.targets[0]", "set exactly one of port (inbound target) or mapping (outbound target)"));
        rows.add(session("target with neither port nor mapping", s -> target(s, 0).remove("port"), "spec.targets[0]",
                "set exactly one of port (inbound target) or mapping (outbound target)"));
        rows.add(session("outbound target with listenPort", s -> target(s, 1).put("listenPort", 15003), "spec.targets[1]",
                "an outbound target takes its listen port and protocol from mapping"));
        rows.add(session("outbound target with protocol", s -> target(s, 1).put("protocol", "http"), "spec.targets[1]",
                "an outbound target takes its listen port and protocol from mapping"));
        rows.add(session("Count sampling without value", s -> s.putObject("sampling").put("mode", "Count"),
                "spec.sampling", "value is required for Count and Percent, and not allowed for All and One"));
        rows.add(session("Percent sampling without value", s -> s.putObject("sampling").put("mode", "Percent"),
                "spec.sampling", "value is required for Count and Percent, and not allowed for All and One"));
        rows.add(session("One sampling with a value", s -> s.putObject("sampling").put("mode", "One").put("value", 2),
                "spec.sampling", "value is required for Count and Percent, and not allowed for All and One"));
        rows.add(session("Percent above 100", s -> s.putObject("sampling").put("mode", "Percent").put("value", 150),
                "spec.sampling", "Percent value must be between 1 and 100"));
        rows.add(session("path and pathRegex", s -> fault(s).putObject("match").put("path", "/a/**").put("pathRegex", "/a/.*"),
                "spec.faults[0].match", "give path (a glob) or pathRegex, not both"));
        rows.add(session("header condition with exact and regex", s -> fault(s).putObject("match").putObject("headers")
                .putObject("x-tier").put("exact", "free").put("regex", "f.*"), "spec.faults[0].match.headers[x-tier]",
                "give exactly one of exact (a value), regex (full match) or present (true|false)"));
        rows.add(session("empty query condition", s -> fault(s).putObject("match").putObject("query").putObject("q"),
                "spec.faults[0].match.query[q]", "give exactly one of exact (a value), regex (full match) or present"));
        rows.add(session("In requirement without values", s -> requirement(s).put("operator", "In"),
                "spec.selector.matchExpressions[0]",
                "values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist"));
        rows.add(session("Exists requirement with values", s -> requirement(s).put("operator", "Exists").putArray("values").add("x"),
                "spec.selector.matchExpressions[0]",
                "values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist"));
        rows.add(session("grpcMessage without grpcStatus", s -> kind(s, "abort").put("httpStatus", 503).put("grpcMessage", "x"),
                "spec.faults[0].abort", "grpcMessage needs grpcStatus"));
        rows.add(session("headers with no edits", s -> kind(s, "headers"), "spec.faults[0].headers",
                "give request and/or response edits"));
        rows.add(session("body with neither replace nor jsonPatch", s -> kind(s, "body"), "spec.faults[0].body",
                "give exactly one of replace (the new body text) or jsonPatch (an RFC 7396 merge patch)"));
        rows.add(session("body with replace and jsonPatch", s -> kind(s, "body").put("replace", "x").putObject("jsonPatch")
                .put("a", 1), "spec.faults[0].body",
                "give exactly one of replace (the new body text) or jsonPatch (an RFC 7396 merge patch)"));
        rows.add(session("body contentType with jsonPatch", s -> kind(s, "body").put("contentType", "text/plain")
                .putObject("jsonPatch").put("a", 1), "spec.faults[0].body", "contentType goes with replace only"));
        rows.add(session("rewrite with nothing to do", s -> kind(s, "rewrite"), "spec.faults[0].rewrite",
                "nothing to do; give method, path, or pathRegex with replacement"));
        rows.add(session("rewrite with path and pathRegex", s -> kind(s, "rewrite").put("path", "/b").put("pathRegex", "/a(.*)")
                .put("replacement", "/b$1"), "spec.faults[0].rewrite", "give path or pathRegex, not both"));
        rows.add(session("rewrite pathRegex without replacement", s -> kind(s, "rewrite").put("pathRegex", "/a(.*)"),
                "spec.faults[0].rewrite", "pathRegex and replacement go together"));
        rows.add(session("overload trigger with delay and status", s -> overloadTrigger(s).put("delay", "1s").put("status", 503),
                "spec.faults[0].serverOverload.triggers[0]",
                "give exactly one of delay (a duration) or status (an HTTP status)"));
        // Enums.
        rows.add(session("unknown latency distribution", s -> kind(s, "latency").put("fixed", "1s").put("distribution", "gaussian"),
                "spec.faults[0].latency.distribution", "Unsupported value: \"gaussian\": supported values: \"normal\", \"pareto\""));
        rows.add(session("unknown latency phase", s -> kind(s, "latency").put("fixed", "1s").put("phase", "body"),
                "spec.faults[0].latency.phase", "Unsupported value: \"body\": supported values: \"request\", \"response\""));
        rows.add(session("unknown stream direction", s -> fault(s).put("stream", "sideways"), "spec.faults[0].stream",
                "Unsupported value: \"sideways\": supported values: \"both\", \"downstream\", \"upstream\""));
        rows.add(session("unknown target protocol", s -> target(s, 0).put("protocol", "udp"), "spec.targets[0].protocol",
                "Unsupported value: \"udp\": supported values: \"http\", \"tcp\""));
        rows.add(session("unknown sampling mode", s -> s.putObject("sampling").put("mode", "Some"), "spec.sampling.mode",
                "Unsupported value: \"Some\": supported values: \"All\", \"Count\", \"One\", \"Percent\""));
        rows.add(session("unknown selector operator", s -> requirement(s).put("operator", "Equals"),
                "spec.selector.matchExpressions[0].operator", "Unsupported value: \"Equals\""));
        rows.add(session("unknown transient scope", s -> kind(s, "transient").put("failures", 2).put("scope", "session"),
                "spec.faults[0].transient.scope", "Unsupported value: \"session\": supported values: \"connection\", \"global\""));
        rows.add(session("unknown overload function", s -> {
            overloadTrigger(s).put("status", 503);
            ((ObjectNode) fault(s).path("serverOverload")).put("function", "linear");
        },
                "spec.faults[0].serverOverload.function", "Unsupported value: \"linear\""));
        rows.add(session("unknown TLS alert", s -> kind(s, "tlsHandshakeFailure").put("alert", "go_away"),
                "spec.faults[0].tlsHandshakeFailure.alert", "Unsupported value: \"go_away\""));
        // Bounds.
        rows.add(session("probability above 1", s -> fault(s).put("probability", 1.5), "spec.faults[0].probability",
                "should be less than or equal to 1"));
        rows.add(session("negative probability", s -> fault(s).put("probability", -0.1), "spec.faults[0].probability",
                "should be greater than or equal to 0"));
        rows.add(session("port 0", s -> target(s, 0).put("port", 0), "spec.targets[0].port",
                "should be greater than or equal to 1"));
        rows.add(session("port above 65535", s -> target(s, 0).put("port", 70000), "spec.targets[0].port",
                "should be less than or equal to 65535"));
        rows.add(session("abort status 700", s -> kind(s, "abort").put("httpStatus", 700), "spec.faults[0].abort.httpStatus",
                "should be less than or equal to 599"));
        rows.add(session("Count of 0 pods", s -> s.putObject("sampling").put("mode", "Count").put("value", 0),
                "spec.sampling.value", "should be greater than or equal to 1"));
        rows.add(session("rate limit of 0 requests", s -> kind(s, "rateLimit").put("requests", 0),
                "spec.faults[0].rateLimit.requests", "should be greater than or equal to 1"));
        rows.add(session("no targets", s -> s.putArray("targets"), "spec.targets", "should have at least 1 items"));
        rows.add(session("17 targets", s -> {
            ArrayNode targets = s.putArray("targets");
            for (int i = 0; i < 17; i++) {
                targets.addObject().put("name", "t" + i).put("port", 8000 + i);
            }
            fault(s).remove("targets");
        }, "spec.targets", "must have at most 16 items"));
        rows.add(session("33 faults", s -> {
            ObjectNode first = fault(s);
            ArrayNode faults = s.putArray("faults");
            for (int i = 0; i < 33; i++) {
                faults.add(first.deepCopy().put("name", "f" + i));
            }
        }, "spec.faults", "must have at most 32 items"));
        rows.add(session("fault name of 64 characters", s -> fault(s).put("name", "f".repeat(64)), "spec.faults[0].name",
                "may not be more than 63 bytes"));
        // Patterns.
        rows.add(session("target name in upper case", s -> target(s, 0).put("name", "HTTP"), "spec.targets[0].name",
                "should match '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'"));
        rows.add(session("duration with a space", s -> kind(s, "latency").put("fixed", "200 ms"), "spec.faults[0].latency.fixed",
                "should match '^(0|([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+)$'"));
        rows.add(session("rate that is a word", s -> kind(s, "bandwidth").put("rate", "fast"), "spec.faults[0].bandwidth.rate",
                "should match '^[0-9]+(\\.[0-9]+)?(B|KB"));
        rows.add(session("start that is not RFC 3339", s -> s.putObject("schedule").put("startAt", "tomorrow"),
                "spec.schedule.startAt", "should match '^[0-9]{4}-"));
        rows.add(session("mapping without listen port", s -> target(s, 1).put("mapping", "payments:80"), "spec.targets[1].mapping",
                "should match '^[0-9]{1,5}="));
        rows.add(session("secret hash too short", s -> kind(s, "requestControlled").put("secretSha256", "abc"),
                "spec.faults[0].requestControlled.secretSha256", "should match '^[0-9a-fA-F]{64}$'"));
        rows.add(session("relative match path", s -> fault(s).putObject("match").put("path", "api/**"), "spec.faults[0].match.path",
                "should match '^/'"));
        // Required fields and types.
        rows.add(session("no spec", s -> s.removeAll(), "spec", "Required value"));
        rows.add(session("no selector", s -> s.remove("selector"), "spec.selector", "Required value"));
        rows.add(session("no targets field", s -> s.remove("targets"), "spec.targets", "Required value"));
        rows.add(session("fault without a name", s -> fault(s).remove("name"), "spec.faults[0].name", "Required value"));
        rows.add(session("latency without fixed", s -> kind(s, "latency").put("jitter", "1s"), "spec.faults[0].latency.fixed",
                "Required value"));
        rows.add(session("qosProfileRef without name", s -> s.putObject("qosProfileRef"), "spec.qosProfileRef.name",
                "Required value"));
        // A value of the wrong type cannot even be merged into the object server-side apply builds: the API server
        // answers 500 with the path and the types (before any schema or CEL check).
        rows.add(typeMismatch("port as a string", s -> target(s, 0).put("port", "8080"),
                ".spec.targets[0].port: expected numeric (int or float), got string"));
        rows.add(typeMismatch("header condition as a plain string", s -> fault(s).putObject("match").putObject("headers")
                .put("x-tier", "free"), ".spec.faults[0].match.headers.x-tier: expected map, got"));
        rows.add(typeMismatch("jsonPatch that is not an object", s -> kind(s, "body").put("jsonPatch", "[1]"),
                ".spec.faults[0].body.jsonPatch: expected map, got"));
        // QoSProfile.
        rows.add(profile("no spec", s -> s.removeAll(), "spec", "Required value"));
        rows.add(profile("nothing set", s -> s.removeAll(), "spec",
                "a QoSProfile must set at least one of latency, bandwidth, loss or connectionLimit"));
        rows.add(profile("bandwidth with neither direction", s -> s.putObject("bandwidth"), "spec.bandwidth",
                "set upstream, downstream or both"));
        rows.add(profile("unknown latency distribution", s -> ((ObjectNode) s.path("latency")).put("distribution", "gaussian"),
                "spec.latency.distribution", "Unsupported value: \"gaussian\""));
        rows.add(profile("loss probability above 1", s -> ((ObjectNode) s.path("loss")).put("probability", 2),
                "spec.loss.probability", "should be less than or equal to 1"));
        rows.add(profile("connection limit 0", s -> s.put("connectionLimit", 0), "spec.connectionLimit",
                "should be greater than or equal to 1"));
        rows.add(profile("latency mean that is a word", s -> ((ObjectNode) s.path("latency")).put("mean", "slow"),
                "spec.latency.mean", "should match '^(0|"));
        rows.add(profile("latency without mean", s -> ((ObjectNode) s.path("latency")).remove("mean"), "spec.latency.mean",
                "Required value"));
        rows.add(profile("rate that is a word", s -> ((ObjectNode) s.path("bandwidth")).put("upstream", "fast"),
                "spec.bandwidth.upstream", "should match '^[0-9]+"));
        return rows.stream();
    }

    @Test
    void theTableIsLargeAndTheResourcesItBreaksAreValid(KubeApiServer server) {
        assertThat(rows().count()).isGreaterThanOrEqualTo(40);
        server.apply().inNamespace(namespace).yaml(SESSION);
        server.apply().inNamespace(namespace).yaml(PROFILE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void isRejectedWithTheRulesOwnMessage(Row row, KubeApiServer server) throws Exception {
        ObjectNode resource = (ObjectNode) JSON.readTree(row.kind().equals("FaultSession") ? SESSION : PROFILE);
        resource.with("metadata").put("name", "row-" + Math.abs(row.what().hashCode()));
        ObjectNode spec = (ObjectNode) resource.path("spec");
        row.breakIt().accept(spec);
        if (spec.isEmpty() && row.what().equals("no spec")) {
            resource.remove("spec");
        }

        assertThatThrownBy(() -> apply.yaml(JSON.writeValueAsString(resource)))
                .as(row.toString()).isInstanceOfSatisfying(ApplyException.class, e -> {
                    assertThat(e.code()).as("%s: %s", row, e.getMessage()).isEqualTo(row.code());
                    if (row.field() == null) {
                        assertThat(e.apiServerMessage()).as(row.toString()).contains(row.message());
                        return;
                    }
                    assertThat(e.causes()).as("%s: %s", row, e.apiServerMessage()).anySatisfy(cause -> {
                        assertThat(cause.getField()).isEqualTo(row.field());
                        assertThat(cause.getMessage()).contains(row.message());
                    });
                    assertThat(e.apiServerMessage()).as(row.toString()).doesNotContain("no such key")
                            .doesNotContain("no such overload").doesNotContain("compilation failed");
                });
    }

    @Test
    void kubectlRefusesAnUnknownFieldInsteadOfDroppingIt(KubeApiServer server) {
        String typo = SESSION.replace("\"jitter\": \"50ms\"", "\"jiter\": \"50ms\"").replace("\"base\"", "\"typo\"");
        Kubectl.Result result = server.kubectl().runWithInput(typo, "apply", "--server-side", "-n", namespace, "-f", "-");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains(".spec.faults[0].latency.jiter: field not declared in schema");
    }

    private static Row session(String what, Consumer<ObjectNode> breakIt, String field, String message) {
        return new Row(what, "FaultSession", breakIt, 422, field, message);
    }

    private static Row typeMismatch(String what, Consumer<ObjectNode> breakIt, String message) {
        return new Row(what, "FaultSession", breakIt, 500, null, message);
    }

    private static Row profile(String what, Consumer<ObjectNode> breakIt, String field, String message) {
        return new Row(what, "QoSProfile", breakIt, 422, field, message);
    }

    private static ArrayNode faults(ObjectNode spec) {
        return (ArrayNode) spec.path("faults");
    }

    private static ObjectNode fault(ObjectNode spec) {
        return (ObjectNode) spec.path("faults").get(0);
    }

    private static ObjectNode target(ObjectNode spec, int index) {
        return (ObjectNode) spec.path("targets").get(index);
    }

    /** Replaces the first fault's kind by an empty {@code kind} object (on the http target) and returns it. */
    private static ObjectNode kind(ObjectNode spec, String kind) {
        ObjectNode fault = fault(spec);
        fault.remove("latency");
        return fault.putObject(kind);
    }

    private static ObjectNode overloadTrigger(ObjectNode spec) {
        ObjectNode overload = kind(spec, "serverOverload").put("capacity", 10);
        return overload.putArray("triggers").addObject();
    }

    private static ObjectNode requirement(ObjectNode spec) {
        return ((ObjectNode) spec.path("selector")).putArray("matchExpressions").addObject().put("key", "tier");
    }
}
