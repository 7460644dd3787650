package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.engine.RuleStats;
import io.faultline.sidecar.proxy.ActiveRule;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpRules#evaluate} visits only the candidates of its {@link RuleIndex}; these tests hold
 * it to the plain loop over every rule (the evaluation before the index): same rules matched,
 * same draws, same faults in the same order, same edited request, on generated rules and requests.
 */
class RuleIndexTest {
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "get"};
    private static final String[] GLOBS = {"/api/**", "/api/v1/*", "/api", "/**", "/*", "/api*", "/a/**/b",
        "/v1/items", "/", "/static/**", "/api/v1/service-3/**", "/a b", "/API/**"};
    private static final String[] URIS = {"/", "/api", "/api/", "/api/v1/x", "/api/v1/service-3/a", "/apix",
        "/a/c/b", "/static/x.js", "/healthz", "/v1/items", "*", "http://h.example/api/x?q=1", "/api?debug",
        "/api/x?q=1&debug=2", "/a%20b", "/items?q=%zz", "/API/x", "//api", "/api/v1/x#q=1"};
    private static final String[] HEADER_NAMES = {"x-a", "X-B", "x-tenant"};
    private static final String[] HOST_GLOBS = {"svc-1.*.svc", "*.svc", "api", "API.example.com", "api*", "h.*"};
    private static final String[] HOSTS = {"svc-1.a.svc:80", "api", "api.example.com", "x.svc", "127.0.0.1:8080",
        "API:80", "h.example"};

    /** The evaluation before the index: every rule in order (the reference the index must agree with). */
    static void everyRule(List<HttpRules.Rule> rules, RequestView view, SplittableRandom random,
                                  HttpExchange exchange, Consumer<HttpRules.Rule> acting) {
        for (HttpRules.Rule rule : rules) {
            if (!rule.match().matches(view)) {
                continue;
            }
            rule.active().stats().matched.increment();
            double p = rule.probability();
            if (p < 1.0 && !(random.nextDouble() < p)) {
                continue;
            }
            acting.accept(rule);
            rule.fault().onRequest(exchange);
            if (exchange.decided()) {
                break;
            }
        }
    }

    @Test
    void theIndexDecidesLikeTheLoopOverEveryRuleOnGeneratedRulesAndRequests() {
        Random gen = new Random(20261123L);
        int requestsChecked = 0;
        int matchedSomewhere = 0;
        for (int config = 0; config < 60; config++) {
            String yaml = rulesYaml(gen, 1 + gen.nextInt(40));
            List<HttpRules.Rule> indexed = new HttpRules().compiled(active(yaml));
            List<HttpRules.Rule> plain = new HttpRules().compiled(active(yaml));
            assertThat(indexed).isInstanceOf(HttpRules.RuleList.class);
            for (int n = 0; n < 150; n++) {
                HttpRequest template = request(gen);
                long seed = gen.nextLong();
                RecordingExchange a = new RecordingExchange(copy(template), seed);
                RecordingExchange b = new RecordingExchange(copy(template), seed);
                HttpRules.evaluate(indexed, new RequestView(a.request), a.random, a, r -> true, a::acting);
                everyRule(plain, new RequestView(b.request), b.random, b, b::acting);
                String where = "config " + config + " request " + n + " " + template + "\nrules: " + yaml;
                assertThat(a.acted).as(where).isEqualTo(b.acted);
                assertThat(a.decided).as(where).isEqualTo(b.decided);
                assertThat(a.request.method()).as(where).isEqualTo(b.request.method());
                assertThat(a.request.uri()).as(where).isEqualTo(b.request.uri());
                assertThat(headerLines(a.request)).as(where).isEqualTo(headerLines(b.request));
                assertThat(a.random.nextLong()).as("same number of draws: " + where).isEqualTo(b.random.nextLong());
                assertThat(counters(indexed)).as(where).isEqualTo(counters(plain));
                requestsChecked++;
                matchedSomewhere += a.acted.isEmpty() ? 0 : 1;
            }
        }
        assertThat(requestsChecked).isEqualTo(9000);
        // The generated cases exercise both sides: requests that some rule acts on, and ones none does.
        assertThat(matchedSomewhere).isBetween(1000, 8000);
    }

    @Test
    void aRuleEditingTheRequestMakesLaterRulesMatchTheEditedRequest() {
        List<HttpRules.Rule> rules = new HttpRules().compiled(active("""
                [{name: tag, match: {path: /a/**}, headers: {request: {set: {x-tenant: blue}}}},
                 {name: move, match: {headers: {x-tenant: blue}}, rewrite: {path: /b/1}},
                 {name: on-b, match: {path: /b/*, headers: {x-tenant: {present: true}}}, abort: {status: 503}},
                 {name: never, match: {path: /a/**}, abort: {status: 500}}]"""));
        RecordingExchange o = new RecordingExchange(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a/x"), 1);
        HttpRules.evaluate(rules, new RequestView(o.request), o.random, o, r -> true, o::acting);
        assertThat(o.acted).containsExactly("tag", "move", "on-b");
        assertThat(o.decided).isTrue();
        assertThat(counters(rules)).containsExactly(1L, 1L, 1L, 0L);
    }

    @Test
    void noneOfTheBenchmarksMissingRulesIsACandidateForItsRequest() {
        List<HttpRules.Rule> rules = RuleEvaluationBench.compiled(RuleEvaluationBench.missRulesYaml(100));
        RuleIndex index = ((HttpRules.RuleList) rules).index;
        assertThat(RuleIndex.next(index.candidates(new RequestView(RuleEvaluationBench.benchRequest())), 0)).isEqualTo(-1);
        // ... while a request each kind could match finds those its cheap demands allow: every rule with the
        // header it carries (x-tenant, x-canary) or its first segment (api), and only the host rule of svc-7.
        HttpRequest near = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/service-5/x?debug");
        near.headers().set("host", "svc-7.ns.svc").set("x-tenant", "tenant-8").set("x-canary", "v1-6");
        assertThat(indices(index.candidates(new RequestView(near)))).containsExactlyElementsOf(
                indicesOf(rules, i -> i % 4 != 3 || i == 7));
    }

    private static List<String> headerLines(HttpRequest r) {
        return r.headers().entries().stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
    }

    private static List<Integer> indices(long[] bits) {
        List<Integer> out = new ArrayList<>();
        for (int i = RuleIndex.next(bits, 0); i >= 0; i = RuleIndex.next(bits, i + 1)) {
            out.add(i);
        }
        return out;
    }

    private static List<Integer> indicesOf(List<?> rules, java.util.function.IntPredicate p) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            if (p.test(i)) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void nextWalksTheSetBitsAcrossWords() {
        long[] bits = new long[3];
        for (int i : new int[] {0, 63, 64, 130}) {
            bits[i >>> 6] |= 1L << i;
        }
        assertThat(indices(bits)).containsExactly(0, 63, 64, 130);
        assertThat(RuleIndex.next(bits, 131)).isEqualTo(-1);
        assertThat(RuleIndex.next(bits, 192)).isEqualTo(-1);
    }

    private static List<ActiveRule> active(String rulesYaml) {
        return ConfigParser.parse("""
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1"}]
                rules: %s
                """.formatted(rulesYaml)).rules().stream().map(r -> new ActiveRule(r, new RuleStats())).toList();
    }

    private static List<Long> counters(List<HttpRules.Rule> rules) {
        return rules.stream().map(r -> r.active().stats().matched.sum()).toList();
    }

    private static String pick(Random gen, String[] from) {
        return from[gen.nextInt(from.length)];
    }

    private static String rulesYaml(Random gen, int count) {
        StringBuilder y = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            y.append(i == 0 ? "" : ", ").append("{name: r").append(i);
            if (gen.nextInt(4) == 0) {
                y.append(", probability: 0.5");
            }
            y.append(", match: {");
            List<String> parts = new ArrayList<>();
            if (gen.nextInt(3) == 0) {
                parts.add("methods: [" + pick(gen, METHODS) + (gen.nextBoolean() ? ", " + pick(gen, METHODS) : "") + "]");
            }
            int path = gen.nextInt(6);
            if (path < 4) {
                parts.add("path: '" + pick(gen, GLOBS) + "'");
            } else if (path == 4) {
                parts.add("pathRegex: '/api/.*'");
            }
            if (gen.nextBoolean()) {
                List<String> hs = new ArrayList<>();
                for (int h = 0; h < 1 + gen.nextInt(2); h++) {
                    String name = HEADER_NAMES[(h + gen.nextInt(HEADER_NAMES.length)) % HEADER_NAMES.length];
                    if (hs.stream().anyMatch(s -> s.toLowerCase().startsWith(name.toLowerCase() + ":"))) {
                        continue;
                    }
                    hs.add(name + ": " + switch (gen.nextInt(4)) {
                        case 0 -> "'" + (1 + gen.nextInt(2)) + "'";
                        case 1 -> "{regex: '[12]'}";
                        case 2 -> "{present: true}";
                        default -> "{present: false}";
                    });
                }
                parts.add("headers: {" + String.join(", ", hs) + "}");
            }
            if (gen.nextInt(4) == 0) {
                parts.add("query: {" + (gen.nextBoolean() ? "q" : "debug") + ": " + switch (gen.nextInt(3)) {
                    case 0 -> "'1'";
                    case 1 -> "{present: true}";
                    default -> "{present: false}";
                } + "}");
            }
            if (gen.nextInt(4) == 0) {
                parts.add("host: '" + pick(gen, HOST_GLOBS) + "'");
            }
            if (gen.nextInt(8) == 0) {
                parts.add(gen.nextBoolean() ? "exclude: []" : "exclude: ['/api/*']");
            }
            y.append(String.join(", ", parts)).append("}, ").append(switch (gen.nextInt(10)) {
                case 0 -> "abort: {status: 503}";
                case 1, 2 -> "headers: {request: {set: {" + pick(gen, HEADER_NAMES) + ": '" + (1 + gen.nextInt(2))
                        + "'}, remove: [" + pick(gen, HEADER_NAMES) + "]}}";
                case 3 -> "rewrite: {path: '" + pick(gen, new String[] {"/api/v1/x", "/v1/items", "/a/z/b", "/static/y"})
                        + "'}";
                case 4 -> "rewrite: {method: " + pick(gen, new String[] {"POST", "PUT", "DELETE"}) + "}";
                default -> "latency: {fixed: 1ms}";
            }).append("}");
        }
        return y.append("]").toString();
    }

    private static HttpRequest request(Random gen) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(pick(gen, METHODS)),
                pick(gen, URIS));
        if (gen.nextInt(5) > 0) {
            r.headers().add("Host", pick(gen, HOSTS));
        }
        for (String name : HEADER_NAMES) {
            if (gen.nextBoolean()) {
                String sent = gen.nextBoolean() ? name.toUpperCase() : name;
                r.headers().add(sent, String.valueOf(1 + gen.nextInt(3)));
            }
        }
        return r;
    }

    private static HttpRequest copy(HttpRequest r) {
        HttpRequest c = new DefaultHttpRequest(r.protocolVersion(), r.method(), r.uri());
        c.headers().set(r.headers());
        return c;
    }
}
