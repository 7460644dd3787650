package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ConfigJson;
import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.ProxyConfig;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Request matching: globs, regexes, header and query conditions, host, probe exclusion, config errors. */
class RequestMatchTest {
    private static RequestMatch match(String yaml) {
        return RequestMatch.fromJson(ConfigParser.readTree("m: " + yaml).get("m"));
    }

    private static RequestView request(String method, String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return new RequestView(r);
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
        "/search/**, /search, true",
        "/search/**, /search/a/b, true",
        "/search/**, /searching, false",
        "/api/*, /api/items, true",
        "/api/*, /api/items/1, false",
        "/api/*/detail, /api/7/detail, true",
        "/**/x.json, /a/b/x.json, true",
        "/a.b, /aXb, false",
        "/items, /items?page=2, true",
        "/a b, /a%20b, true",
        "/**, /, true",
        "/**, /anything/at/all, true",
        "/a/**/b, /a/x/y/b, true",
        "/a/**/b, /ab, false",
        "/a/**/b, /b/x/a/b, false",
        "/items, /items/, false",
        "/items, /item, false",
        "/v1/*, /v2/x, false",
    })
    void pathGlobs(String glob, String uri, boolean matches) {
        assertThat(match("{path: '" + glob + "'}").matches(request("GET", uri))).isEqualTo(matches);
    }

    @ParameterizedTest(name = "{0} starts every match with ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "/search/**|/search",
        "/**|''",
        "/*|/",
        "/api/*/detail|/api/",
        "/a/**/b|/a/",
        "/items|/items",
        "/x*y|/x",
    })
    void theLiteralPrefixOfAGlobIsWhatEveryMatchStartsWith(String glob, String prefix) {
        assertThat(PathGlob.literalPrefix(glob)).isEqualTo(prefix);
        for (String path : new String[] {prefix, prefix + "/", prefix + "/z", prefix + "q", prefix + "/b", prefix + "y"}) {
            if (PathGlob.compile(glob).matcher(path).matches()) {
                assertThat(path).startsWith(prefix);
            }
        }
    }

    @Test
    void repeatedHeadersAreAllTriedAndAbsentOnesFailExactAndRegex() {
        RequestMatch exact = match("{headers: {x-a: b}}");
        assertThat(exact.matches(request("GET", "/", "x-a", "a", "X-A", "b"))).isTrue();
        assertThat(exact.matches(request("GET", "/", "x-a", "a"))).isFalse();
        assertThat(exact.matches(request("GET", "/"))).isFalse();
        RequestMatch regex = match("{headers: {x-a: {regex: 'b+'}}}");
        assertThat(regex.matches(request("GET", "/", "x-a", "a", "x-a", "bbb"))).isTrue();
        assertThat(regex.matches(request("GET", "/"))).isFalse();
        assertThat(match("{headers: {x-a: {present: false}}}").matches(request("GET", "/"))).isTrue();
    }

    @Test
    void hostGlobsWithALiteralStart() {
        RequestMatch m = match("{host: 'API-1.*.svc'}");
        assertThat(m.matches(request("GET", "/", "host", "api-1.shop.svc:8080"))).isTrue();
        assertThat(m.matches(request("GET", "/", "host", "api-2.shop.svc"))).isFalse();
        assertThat(m.matches(request("GET", "/", "host", "api-1.a.b.svc"))).isFalse();
        assertThat(m.matches(request("GET", "/", "host", "127.0.0.1:80"))).isFalse();
        assertThat(m.matches(request("GET", "/"))).isFalse();
    }

    @Test
    void aBrokenQueryEncodingMatchesNoParameterButKeepsThePath() {
        RequestView broken = request("GET", "/items?q=%zz");
        assertThat(match("{path: /items, query: {q: {present: true}}}").matches(broken)).isFalse();
        assertThat(match("{path: /items, query: {q: {present: false}}}").matches(broken)).isTrue();
    }

    @Test
    void methodsRegexHeadersQueryAndHost() {
        RequestMatch m = match("""
                {methods: [get, POST], pathRegex: "/v[0-9]+/.*",
                 headers: {X-Canary: "true", x-user: {regex: "a.*"}, x-debug: {present: false}, authorization: {present: true}},
                 query: {tenant: {exact: blue}}, host: "*.shop.svc"}""");
        String[] good = {"x-canary", "true", "x-user", "alice", "authorization", "Bearer x", "host", "api.shop.svc:8080"};
        assertThat(m.matches(request("GET", "/v2/items?tenant=blue", good))).isTrue();
        assertThat(m.matches(request("PUT", "/v2/items?tenant=blue", good))).as("method").isFalse();
        assertThat(m.matches(request("GET", "/items?tenant=blue", good))).as("pathRegex").isFalse();
        assertThat(m.matches(request("GET", "/v2/items?tenant=red", good))).as("query").isFalse();
        assertThat(m.matches(request("GET", "/v2/items", good))).as("query absent").isFalse();
        assertThat(m.matches(request("GET", "/v2/items?tenant=blue", "x-canary", "true", "x-user", "bob",
                "authorization", "b", "host", "api.shop.svc"))).as("header regex").isFalse();
        assertThat(m.matches(request("GET", "/v2/items?tenant=blue", "x-canary", "true", "x-user", "al",
                "authorization", "b", "host", "api.shop.svc", "x-debug", "1"))).as("header absent").isFalse();
        assertThat(m.matches(request("GET", "/v2/items?tenant=blue", "x-canary", "true", "x-user", "al",
                "host", "api.shop.svc"))).as("header present").isFalse();
        assertThat(m.matches(request("GET", "/v2/items?tenant=blue", "x-canary", "true", "x-user", "al",
                "authorization", "b", "host", "a.b.shop.svc"))).as("host glob is one label").isFalse();
    }

    @Test
    void probePathsAreExcludedByDefaultAndTheListCanBeReplaced() {
        assertThat(RequestMatch.ANY.matches(request("GET", "/healthz"))).isFalse();
        assertThat(RequestMatch.ANY.matches(request("GET", "/readyz"))).isFalse();
        assertThat(RequestMatch.ANY.matches(request("GET", "/livez"))).isFalse();
        assertThat(RequestMatch.ANY.matches(request("GET", "/metrics"))).isFalse();
        assertThat(RequestMatch.ANY.matches(request("GET", "/api"))).isTrue();
        assertThat(match("{exclude: []}").matches(request("GET", "/healthz"))).isTrue();
        RequestMatch custom = match("{exclude: [/internal/**]}");
        assertThat(custom.matches(request("GET", "/internal/x"))).isFalse();
        assertThat(custom.matches(request("GET", "/healthz"))).isTrue();
        RequestMatch mixed = match("{exclude: [/ping, /internal/*/debug]}");
        assertThat(mixed.matches(request("GET", "/ping"))).isFalse();
        assertThat(mixed.matches(request("GET", "/ping/x"))).isTrue();
        assertThat(mixed.matches(request("GET", "/internal/a/debug"))).isFalse();
        assertThat(mixed.matches(request("GET", "/internal/a/b/debug"))).isTrue();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{path: search}|rules[0].match.path",
        "{path: /a, pathRegex: /b}|rules[0].match.pathRegex",
        "{pathRegex: '/(a'}|rules[0].match.pathRegex",
        "{methods: ['GE T']}|rules[0].match.methods[0]",
        "{headers: {x-a: {regex: '['}}}|rules[0].match.headers.x-a.regex",
        "{headers: {x-a: {exact: a, present: true}}}|rules[0].match.headers.x-a",
        "{query: {q: {sometimes: true}}}|rules[0].match.query.q.sometimes",
        "{exclude: [healthz]}|rules[0].match.exclude[0]",
        "{paths: /a}|rules[0].match.paths",
    })
    void badMatchFieldsAreNamed(String match, String field) {
        assertThatThrownBy(() -> ConfigParser.parse("""
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1"}]
                rules: [{name: r, match: %s, abort: {}}]""".formatted(match)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo(field));
    }

    @Test
    void anHttpConfigRendersAndParsesBackToTheSameConfig() {
        ProxyConfig config = ConfigParser.parse("""
                version: "7"
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1", responseTimeout: 3s}]
                rules:
                  - {name: a, probability: 0.5, match: {methods: [GET], path: /x/**, headers: {x-a: {regex: b.*}}},
                     abort: {status: 502, body: nope, headers: {x-why: test}, grpcStatus: 14, grpcMessage: down}}
                  - {name: l, latency: {fixed: 10ms, jitter: 2ms, distribution: normal, phase: response}}
                  - {name: h, headers: {request: {set: {x-a: "1"}, remove: [x-b]}, response: {add: {x-c: "2"}}}}
                  - {name: rl, rateLimit: {requests: 5, period: 2s, burst: 7}}
                  - {name: t, transient: {failures: 3, status: 500, scope: global}}
                  - {name: d, match: {exclude: []}, drop: {}}
                  - {name: r, reset: {}}
                  - {name: o, serverOverload: {capacity: 50, function: plateau, window: 2s,
                     triggers: [{fromLoad: 10, toLoad: 60, delay: 20ms, percentage: 25}, {fromLoad: 60, status: 503}]}}
                  - {name: b, body: {jsonPatch: {a: null, b: {c: 1}}}}
                """);
        String rendered = ConfigJson.render(config, n -> null).toString();
        assertThat(ConfigParser.parse(rendered)).isEqualTo(config);
        assertThat(rendered).contains("\"responseTimeout\":\"3s\"", "\"phase\":\"response\"");
    }
}
