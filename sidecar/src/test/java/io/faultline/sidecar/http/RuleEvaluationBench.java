package io.faultline.sidecar.http;

import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.engine.RuleStats;
import io.faultline.sidecar.proxy.ActiveRule;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * Not a test: a benchmark of rule evaluation alone (BENCHMARKS.md, "rule evaluation"), the HTTP
 * bench's request {@code GET /100b} against its non-matching rules ({@code miss_rule()} in
 * bench/bench.py), 1 vs 100 of them, through {@link HttpRules#evaluate} (indexed) and through the
 * loop over every rule that preceded the index. Run (after {@code ./mvnw -pl sidecar test-compile}):
 * {@code java [-XX:TieredStopAtLevel=1] -cp sidecar/target/classes:sidecar/target/test-classes:$(cat cp.txt)
 * io.faultline.sidecar.http.RuleEvaluationBench [seconds per figure]}.
 */
public final class RuleEvaluationBench {
    private RuleEvaluationBench() {
    }

    /** The bench's non-matching rules: miss_rule(i) of bench/bench.py, four kinds in turn. */
    static String missRulesYaml(int count) {
        StringBuilder yaml = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            yaml.append(i == 0 ? "" : ",").append("{name: miss-" + i + ", ").append(switch (i % 4) {
                case 0 -> "match: {methods: [GET, POST], path: '/**', headers: {x-tenant: tenant-" + i + "}},"
                        + " latency: {fixed: 100ms}}";
                case 1 -> "match: {path: '/api/v1/service-" + i + "/**'}, abort: {status: 503}}";
                case 2 -> "match: {path: '/*', headers: {x-canary: {regex: 'v[0-9]+-" + i + "'}}},"
                        + " abort: {status: 500, body: injected}}";
                default -> "match: {host: 'svc-" + i + ".*.svc', query: {debug: {present: true}}},"
                        + " headers: {response: {set: {x-rule: '" + i + "'}}}}";
            });
        }
        return yaml.append("]").toString();
    }

    static List<HttpRules.Rule> compiled(String rulesYaml) {
        List<ActiveRule> active = ConfigParser.parse("""
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1"}]
                rules: %s
                """.formatted(rulesYaml)).rules().stream().map(r -> new ActiveRule(r, new RuleStats())).toList();
        return new HttpRules().compiled(active);
    }

    static HttpRequest benchRequest() {
        HttpRequest get = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/100b");
        get.headers().set("Host", "127.0.0.1:8080").set("User-Agent", "wrk").set("Accept", "*/*");
        return get;
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        List<HttpRules.Rule> one = compiled(missRulesYaml(1));
        List<HttpRules.Rule> hundred = compiled(missRulesYaml(100));
        HttpRequest request = benchRequest();
        for (int pass = 0; pass < 3; pass++) { // passes 1-2 warm up the JIT; pass 3 is the figure
            double i1 = nanosPerRequest(one, request, seconds, true);
            double i100 = nanosPerRequest(hundred, request, seconds, true);
            double e1 = nanosPerRequest(one, request, seconds, false);
            double e100 = nanosPerRequest(hundred, request, seconds, false);
            System.out.printf("pass %d: indexed 1 rule %.0f ns, 100 rules %.0f ns (+%.0f ns); every rule: 1 rule %.0f ns,"
                    + " 100 rules %.0f ns (+%.0f ns)%n", pass + 1, i1, i100, i100 - i1, e1, e100, e100 - e1);
        }
    }

    /** Evaluation per request, including the per-request RequestView (as in RequestExchange). */
    private static double nanosPerRequest(List<HttpRules.Rule> rules, HttpRequest request, double seconds,
                                          boolean indexed) {
        RecordingExchange exchange = new RecordingExchange(request, 1);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long n = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 1000; i++) {
                RequestView view = new RequestView(request);
                if (indexed) {
                    HttpRules.evaluate(rules, view, exchange.random, exchange, r -> true, exchange::acting);
                } else {
                    RuleIndexTest.everyRule(rules, view, exchange.random, exchange, exchange::acting);
                }
            }
            n += 1000;
        }
        if (!exchange.acted.isEmpty()) {
            throw new IllegalStateException("a non-matching rule acted: " + exchange.acted);
        }
        return (System.nanoTime() - start) / (double) n;
    }
}
