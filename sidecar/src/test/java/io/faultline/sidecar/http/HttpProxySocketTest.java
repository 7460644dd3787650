package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.admin.AdminServer;
import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.HostPort;
import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.engine.RuleStats;
import io.faultline.sidecar.proxy.Transport;
import io.faultline.sidecar.testing.InProcessSidecar;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The http listener on real sockets, in front of a real upstream started by the test. */
class HttpProxySocketTest {
    private TestHttpUpstream upstream;
    private InProcessSidecar sidecar;
    private AdminServer admin;

    @BeforeEach
    void setUp() throws Exception {
        upstream = new TestHttpUpstream();
    }

    @AfterEach
    void tearDown() {
        if (admin != null) {
            admin.close();
        }
        if (sidecar != null) {
            sidecar.close();
        }
        upstream.close();
    }

    private String config(String version, String rules) {
        return """
                version: "%s"
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://%s"}
                rules: %s
                """.formatted(version, upstream.address(), rules);
    }

    private RawHttpClient connect() throws Exception {
        return new RawHttpClient(sidecar.port("web"));
    }

    private ListenerStats listenerStats() {
        return sidecar.engine().listenerStats().get("web");
    }

    private RuleStats ruleStats(String name) {
        return sidecar.engine().ruleStats().get(name);
    }

    @Test
    void manyRequestsOnOneKeepAliveConnectionOnlyMatchingOnesGetTheFault() throws Exception {
        sidecar = new InProcessSidecar(7);
        sidecar.apply(config("1", """
                [{name: canary-errors, match: {methods: [GET], path: "/api/**", headers: {x-canary: "true"}},
                  abort: {status: 503, body: injected}}]"""));
        int faulted = 0;
        try (RawHttpClient c = connect()) {
            for (int i = 0; i < 300; i++) {
                boolean canary = i % 3 == 0;
                RawHttpClient.Response r = canary
                        ? c.get("/api/items", "x-canary: true")
                        : c.get("/api/items", "x-canary: false");
                if (canary) {
                    faulted++;
                    assertThat(r.status()).as("request %d", i).isEqualTo(503);
                    assertThat(r.text()).isEqualTo("injected");
                } else {
                    assertThat(r.status()).as("request %d", i).isEqualTo(200);
                    assertThat(r.text()).contains("\"items\":3");
                }
            }
        }
        assertThat(upstream.count("/api/items")).isEqualTo(300 - faulted);
        assertThat(ruleStats("canary-errors").matched.sum()).isEqualTo(faulted);
        assertThat(ruleStats("canary-errors").injected.sum()).isEqualTo(faulted);
        assertThat(listenerStats().connectionsTotal.sum()).isEqualTo(1);
        assertThat(listenerStats().http.requests.sum()).isEqualTo(300);
    }

    @Test
    void probabilityIsDrawnPerRequestAndReproducibleWithASeed() throws Exception {
        int n = 2000;
        double p = 0.3;
        List<Integer> first = statusesWithSeed(42, n, p);
        long faults = first.stream().filter(s -> s == 503).count();
        // Binomial(2000, 0.3): mean 600, sigma 20.5; 4.5 sigma keeps a false failure below 1e-5.
        double sigma = Math.sqrt(n * p * (1 - p));
        assertThat((double) faults).isBetween(n * p - 4.5 * sigma, n * p + 4.5 * sigma);
        assertThat(first.stream().filter(s -> s == 200).count()).isEqualTo(n - faults);
        // The same seed gives the same requests their fault again.
        assertThat(statusesWithSeed(42, n, p)).isEqualTo(first);
        assertThat(statusesWithSeed(43, n, p)).isNotEqualTo(first);
    }

    private List<Integer> statusesWithSeed(long seed, int n, double p) throws Exception {
        try (InProcessSidecar s = new InProcessSidecar(seed)) {
            sidecar = s;
            s.apply(config("1", "[{name: flaky, probability: " + p + ", abort: {status: 503}}]"));
            List<Integer> statuses = new ArrayList<>(n);
            try (RawHttpClient c = connect()) {
                for (int i = 0; i < n; i++) {
                    statuses.add(c.get("/api/items").status());
                }
            }
            assertThat(ruleStats("flaky").matched.sum()).isEqualTo(n);
            return statuses;
        } finally {
            sidecar = null;
        }
    }

    @Test
    void aConfigChangeThroughTheAdminApiAppliesToTheNextRequestOfAnOpenConnection() throws Exception {
        sidecar = new InProcessSidecar(1);
        sidecar.apply(config("1", "[]"));
        admin = new AdminServer(sidecar.engine(), HostPort.parse("127.0.0.1:0"), null, Transport.best());
        String adminAddress = admin.start();
        HttpClient http = HttpClient.newHttpClient();
        try (RawHttpClient c = connect()) {
            assertThat(c.get("/api/items").status()).isEqualTo(200);

            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://" + adminAddress + "/v1/config"))
                    .PUT(HttpRequest.BodyPublishers.ofString(config("2", "[{name: now-failing, abort: {status: 418}}]")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(c.get("/api/items").status()).isEqualTo(418);

            put = http.send(HttpRequest.newBuilder(URI.create("http://" + adminAddress + "/v1/config"))
                    .PUT(HttpRequest.BodyPublishers.ofString(config("3", "[]"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(c.get("/api/items").status()).isEqualTo(200);
        }
        assertThat(listenerStats().connectionsTotal.sum()).isEqualTo(1);
    }

    @Test
    void statsAndMetricsShowRequestOutcomesAndRuleCounters() throws Exception {
        sidecar = new InProcessSidecar(1);
        sidecar.apply(config("1", "[{name: canary, match: {headers: {x-canary: \"true\"}}, abort: {status: 503}}]"));
        admin = new AdminServer(sidecar.engine(), HostPort.parse("127.0.0.1:0"), null, Transport.best());
        String adminAddress = admin.start();
        try (RawHttpClient c = connect()) {
            assertThat(c.get("/api/items").status()).isEqualTo(200);
            assertThat(c.get("/api/items", "x-canary: true").status()).isEqualTo(503);
            c.send("BAD\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(400);
        }
        HttpClient http = HttpClient.newHttpClient();
        String stats = http.send(HttpRequest.newBuilder(URI.create("http://" + adminAddress + "/v1/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stats);
        var web = json.path("listeners").path("web").path("http");
        assertThat(web.path("requests").asLong()).as(stats).isEqualTo(3);
        assertThat(web.path("forwarded").asLong()).isEqualTo(1);
        assertThat(web.path("answeredByFault").asLong()).isEqualTo(1);
        assertThat(web.path("badRequests").asLong()).isEqualTo(1);
        assertThat(json.path("rules").path("canary").path("matched").asLong()).isEqualTo(1);
        assertThat(json.path("rules").path("canary").path("injected").asLong()).isEqualTo(1);
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://" + adminAddress + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("faultline_listener_http_requests_total{listener=\"web\",outcome=\"badRequests\"} 1",
                "faultline_rule_matched_total{rule=\"canary\"} 1");

        // Toxiproxy proxies are tcp listeners: an http kind is no toxic type there.
        HttpResponse<String> proxy = http.send(HttpRequest.newBuilder(URI.create("http://" + adminAddress + "/proxies"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"tp\",\"listen\":\"127.0.0.1:0\",\"upstream\":\""
                        + upstream.address() + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(proxy.statusCode()).as(proxy.body()).isEqualTo(201);
        HttpResponse<String> toxic = http.send(HttpRequest.newBuilder(URI.create("http://" + adminAddress + "/proxies/tp/toxics"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"abort\",\"attributes\":{}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(toxic.statusCode()).isEqualTo(400);
        assertThat(toxic.body()).contains("invalid toxic type");
    }

    @Test
    void streamedResponsesAndUploadsArriveIntact() throws Exception {
        sidecar = new InProcessSidecar(1);
        sidecar.apply(config("1", "[]"));
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response stream = c.get("/stream?chunks=64&size=16384");
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(stream.body()).hasSize(64 * 16384);
            for (int i = 0; i < 64; i++) {
                assertThat(stream.body()[i * 16384]).isEqualTo((byte) ('a' + i % 26));
            }

            byte[] data = new byte[8 << 20];
            new Random(5).nextBytes(data);
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + data.length + "\r\n\r\n");
            c.send(data);
            RawHttpClient.Response up = c.read(false);
            assertThat(up.text()).contains("\"bytes\":" + data.length, TestHttpUpstream.sha256(data));

            // The same bytes as a chunked upload, in uneven chunks.
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
            int at = 0;
            Random sizes = new Random(9);
            while (at < data.length) {
                int len = Math.min(data.length - at, 1 + sizes.nextInt(300_000));
                c.send(Integer.toHexString(len) + "\r\n");
                c.send(java.util.Arrays.copyOfRange(data, at, at + len));
                c.send("\r\n");
                at += len;
            }
            c.send("0\r\n\r\n");
            up = c.read(false);
            assertThat(up.text()).contains(TestHttpUpstream.sha256(data));
        }
    }

    @Test
    void headExpectContinueAndConnectionCloseAgainstARealUpstream() throws Exception {
        sidecar = new InProcessSidecar(1);
        sidecar.apply(config("1", "[]"));
        try (RawHttpClient c = connect()) {
            c.send("HEAD /api/items HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttpClient.Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.body()).isEmpty();

            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            // The body goes only after the interim answer: read it raw.
            String interim = HttpInformationalSocketTest.readHead(c.socket.getInputStream());
            assertThat(interim).startsWith("HTTP/1.1 100 Continue\r\n").endsWith("\r\n\r\n");
            c.send("hello");
            RawHttpClient.Response echo = c.read(false);
            assertThat(echo.status()).isEqualTo(200);
            // The 100 came from the upstream (JDK server), which answers Expect itself.
            assertThat(echo.text()).contains("\"body\":\"hello\"").contains("\"expect\":\"100-continue\"");

            RawHttpClient.Response last = c.get("/api/items", "Connection: close");
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer(2000)).isTrue();
        }
    }

    @Test
    void unreachableUpstreamGives502AndTheConnectionStaysUsable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        sidecar = new InProcessSidecar(1);
        sidecar.apply("""
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:%d"}]
                """.formatted(closedPort));
        try (RawHttpClient c = connect()) {
            assertThat(c.get("/a").status()).isEqualTo(502);
            assertThat(c.get("/b").status()).isEqualTo(502);
        }
        assertThat(listenerStats().http.badGateway.sum()).isEqualTo(2);
        assertThat(listenerStats().upstreamConnectFailures.sum()).isEqualTo(2);
    }

    @Test
    void faultsThatDoNotFitTheListenerProtocolAreRefusedNamingTheField() throws Exception {
        sidecar = new InProcessSidecar(1);
        String mixed = """
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://%s"}
                  - {name: raw, listen: "127.0.0.1:0", upstream: "%s"}
                rules: %s
                """;
        String addr = upstream.address();
        assertThatThrownBy(() -> sidecar.apply(mixed.formatted(addr, addr, "[{name: a, listeners: [raw], abort: {}}]")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rules[0].abort").hasMessageContaining("needs an http listener");
        assertThatThrownBy(() -> sidecar.apply(mixed.formatted(addr, addr,
                "[{name: a, listeners: [raw], match: {path: /x}, latency: {fixed: 1ms}}]")))
                .hasMessageContaining("rules[0].match");
        assertThatThrownBy(() -> sidecar.apply(mixed.formatted(addr, addr,
                "[{name: a, listeners: [raw], latency: {fixed: 1ms, phase: response}}]")))
                .hasMessageContaining("rules[0].latency.phase");
        // Configs built without the parser (the Toxiproxy API) are checked by the engine as well.
        var good = io.faultline.sidecar.config.ConfigParser.parse(mixed.formatted(addr, addr, "[]"));
        var bad = good.withRules(List.of(new io.faultline.sidecar.config.RuleSpec("a", List.of("raw"), 1.0,
                io.faultline.sidecar.config.StreamDirection.DOWNSTREAM, null,
                new AbortFault(503, "", java.util.Map.of(), null, null))));
        assertThatThrownBy(() -> sidecar.engine().apply(bad).get())
                .isInstanceOf(ExecutionException.class).cause().hasMessageContaining("rules[0].abort");
        // Without 'listeners' an http fault applies to the http listeners only.
        sidecar.apply(mixed.formatted(addr, addr, "[{name: a, abort: {status: 503}}]"));
        try (RawHttpClient c = connect()) {
            assertThat(c.get("/api/items").status()).isEqualTo(503);
        }
        assertThat(sidecar.engine().config().rules()).hasSize(1);
    }
}
