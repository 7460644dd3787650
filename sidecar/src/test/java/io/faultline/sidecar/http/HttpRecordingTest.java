package io.faultline.sidecar.http;

import static io.faultline.sidecar.testing.InProcessSidecar.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.sidecar.admin.AdminServer;
import io.faultline.sidecar.config.HostPort;
import io.faultline.sidecar.proxy.Transport;
import io.faultline.sidecar.recording.RecordingBuffer;
import io.faultline.sidecar.testing.InProcessSidecar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recording and phase timing on a real http listener: a real upstream, a real client, the admin
 * API for {@code /v1/recordings} and {@code /metrics}.
 */
class HttpRecordingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-token";

    private TestHttpUpstream upstream;
    private InProcessSidecar sidecar;
    private AdminServer admin;
    private String adminAddress;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        upstream = new TestHttpUpstream();
        sidecar = new InProcessSidecar(3);
        admin = new AdminServer(sidecar.engine(), HostPort.parse("127.0.0.1:0"), TOKEN, Transport.best());
        adminAddress = admin.start();
    }

    @AfterEach
    void tearDown() {
        admin.close();
        sidecar.close();
        upstream.close();
    }

    private String config(String recording, String rules) {
        return """
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://%s"%s}
                  - {name: quiet, listen: "127.0.0.1:0", upstream: "http://%s"}
                rules: %s
                """.formatted(upstream.address(), recording == null ? "" : ", recording: " + recording,
                upstream.address(), rules);
    }

    private HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + adminAddress + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = call("GET", path, null, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The recording of a response is added just after its last byte is flushed: wait for it. */
    private JsonNode awaitEntries(String path, int count) throws Exception {
        JsonNode[] got = new JsonNode[1];
        eventually(5_000, () -> {
            try {
                got[0] = getJson(path);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(entries(got[0])).hasSize(count);
        });
        return got[0];
    }

    private static List<JsonNode> entries(JsonNode root) {
        JsonNode e = root.has("log") ? root.at("/log/entries") : root.path("entries");
        List<JsonNode> out = new ArrayList<>();
        e.forEach(out::add);
        return out;
    }

    private RawHttpClient client() throws Exception {
        return new RawHttpClient(sidecar.port("web"));
    }

    private static RawHttpClient.Response post(RawHttpClient c, String path, String body) throws Exception {
        c.send("POST " + path + " HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body);
        return c.read(false);
    }

    @Test
    void entriesCarryMethodPathStatusRulesHeadersBodiesAndOrderedPhases() throws Exception {
        sidecar.apply(config("{capacity: 50, headers: [content-type, x-request-id], bodyBytes: 16}", """
                [{name: slow-items, match: {path: /api/items}, latency: {fixed: 200ms, phase: response}},
                 {name: blocked, match: {path: /blocked}, abort: {status: 503, body: "nope, not today"}}]"""));
        String body = "0123456789".repeat(10);
        try (RawHttpClient c = client()) {
            assertThat(c.get("/api/items?page=2", "X-Request-Id: r-1").status()).isEqualTo(200);
            assertThat(post(c, "/echo", body).status()).isEqualTo(200);
            assertThat(c.get("/blocked").status()).isEqualTo(503);
            assertThat(c.get("/missing").status()).isEqualTo(404);
        }
        List<JsonNode> e = entries(awaitEntries("/v1/recordings", 4));

        JsonNode slow = e.get(0);
        assertThat(slow.path("listener").asText()).isEqualTo("web");
        assertThat(slow.path("method").asText()).isEqualTo("GET");
        assertThat(slow.path("uri").asText()).isEqualTo("/api/items?page=2");
        assertThat(slow.path("status").asInt()).isEqualTo(200);
        assertThat(slow.path("outcome").asText()).isEqualTo("forwarded");
        assertThat(slow.path("rules").toString()).isEqualTo("[\"slow-items\"]");
        assertThat(slow.at("/requestHeaders/x-request-id/0").asText()).isEqualTo("r-1");
        assertThat(slow.at("/responseHeaders/content-type/0").asText()).isEqualTo("application/json");
        JsonNode t = slow.path("timings");
        assertThat(t.path("connectMs").isNumber()).as("first request opened the upstream connection: %s", t).isTrue();
        assertThat(t.path("connectMs").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(t.path("connectMs").asDouble()).isLessThanOrEqualTo(t.path("timeToFirstByteMs").asDouble());
        assertThat(t.path("timeToFirstByteMs").asDouble()).as("the response delay is before the first byte")
                .isGreaterThanOrEqualTo(200.0);
        assertThat(t.path("timeToFirstByteMs").asDouble()).isLessThanOrEqualTo(t.path("totalMs").asDouble());

        JsonNode echo = e.get(1);
        assertThat(echo.path("method").asText()).isEqualTo("POST");
        assertThat(echo.path("rules").size()).isZero();
        assertThat(echo.at("/timings/connectMs").isNull()).as("kept-alive upstream connection reused").isTrue();
        assertThat(echo.at("/timings/timeToFirstByteMs").asDouble()).isGreaterThanOrEqualTo(0)
                .isLessThanOrEqualTo(echo.at("/timings/totalMs").asDouble());
        assertThat(echo.at("/requestBody/size").asLong()).isEqualTo(100);
        assertThat(echo.at("/requestBody/truncated").asBoolean()).isTrue();
        assertThat(echo.at("/requestBody/text").asText()).isEqualTo(body.substring(0, 16));
        assertThat(echo.at("/responseBody/text").asText()).hasSize(16).startsWith("{");
        assertThat(echo.at("/responseBody/size").asLong()).isGreaterThan(100);

        JsonNode blocked = e.get(2);
        assertThat(blocked.path("status").asInt()).isEqualTo(503);
        assertThat(blocked.path("outcome").asText()).isEqualTo("answered");
        assertThat(blocked.path("rules").toString()).isEqualTo("[\"blocked\"]");
        assertThat(blocked.at("/responseBody/text").asText()).as("a local answer's body").isEqualTo("nope, not today");
        assertThat(blocked.at("/responseBody/truncated").asBoolean()).isFalse();
        assertThat(blocked.at("/timings/connectMs").isNull()).isTrue();

        JsonNode missing = e.get(3);
        assertThat(missing.path("status").asInt()).isEqualTo(404);
        assertThat(missing.path("uri").asText()).isEqualTo("/missing");
        for (int i = 1; i < e.size(); i++) {
            assertThat(e.get(i).path("id").asLong()).isEqualTo(e.get(i - 1).path("id").asLong() + 1);
        }
        assertThat(getJson("/v1/recordings").at("/listeners/quiet").isMissingNode())
                .as("only recording listeners are listed").isTrue();
    }

    @Test
    void harLogIsStructurallyValidAndItsTimingsAddUp() throws Exception {
        sidecar.apply(config("{capacity: 10, bodyBytes: 64}", """
                [{name: slow-items, match: {path: /api/items}, latency: {fixed: 150ms, phase: response}}]"""));
        try (RawHttpClient c = client()) {
            assertThat(c.get("/api/items?q=a%20b&q=c").status()).isEqualTo(200);
            assertThat(post(c, "/upload", "payload").status()).isEqualTo(200);
        }
        JsonNode har = awaitEntries("/v1/recordings?format=har", 2);
        assertThat(getJson("/v1/recordings.har")).isEqualTo(har);
        assertThat(har.at("/log/version").asText()).isEqualTo("1.2");
        assertThat(har.at("/log/creator/name").asText()).isEqualTo("faultline-sidecar");
        assertThat(har.at("/log/creator/version").isTextual()).isTrue();
        for (JsonNode entry : entries(har)) {
            Instant.parse(entry.path("startedDateTime").asText());
            JsonNode req = entry.path("request");
            assertThat(req.path("method").isTextual()).isTrue();
            assertThat(req.path("url").asText()).startsWith("http://test/");
            assertThat(req.path("httpVersion").asText()).isEqualTo("HTTP/1.1");
            for (String array : List.of("cookies", "headers", "queryString")) {
                assertThat(req.path(array).isArray()).as("request.%s", array).isTrue();
            }
            assertThat(req.path("headersSize").isNumber()).isTrue();
            assertThat(req.path("bodySize").isNumber()).isTrue();
            JsonNode res = entry.path("response");
            assertThat(res.path("status").asInt()).isEqualTo(200);
            assertThat(res.path("statusText").isTextual()).isTrue();
            assertThat(res.path("cookies").isArray()).isTrue();
            assertThat(res.path("headers").isArray()).isTrue();
            assertThat(res.at("/content/size").isNumber()).isTrue();
            assertThat(res.at("/content/mimeType").asText()).isEqualTo("application/json");
            assertThat(res.path("redirectURL").isTextual()).isTrue();
            assertThat(entry.path("cache").isObject()).isTrue();
            JsonNode timings = entry.path("timings");
            double sum = 0;
            for (String phase : List.of("send", "wait", "receive")) {
                assertThat(timings.path(phase).asDouble()).as(phase).isGreaterThanOrEqualTo(0);
            }
            for (String phase : List.of("blocked", "dns", "connect", "send", "wait", "receive", "ssl")) {
                double v = timings.path(phase).asDouble();
                assertThat(timings.path(phase).isNumber()).as(phase).isTrue();
                assertThat(v).as(phase).isGreaterThanOrEqualTo(-1);
                sum += Math.max(0, v);
            }
            assertThat(entry.path("time").asDouble()).isCloseTo(sum, within(0.0011));
        }
        JsonNode items = entries(har).get(0);
        assertThat(items.at("/request/queryString").toString())
                .isEqualTo("[{\"name\":\"q\",\"value\":\"a b\"},{\"name\":\"q\",\"value\":\"c\"}]");
        assertThat(items.at("/timings/connect").asDouble()).as("new upstream connection").isGreaterThanOrEqualTo(0);
        assertThat(items.at("/timings/wait").asDouble()).as("the response delay is waiting").isGreaterThanOrEqualTo(150);
        assertThat(items.path("_rules").toString()).isEqualTo("[\"slow-items\"]");
        JsonNode upload = entries(har).get(1);
        assertThat(upload.at("/timings/connect").asDouble()).isEqualTo(-1);
        assertThat(upload.at("/request/postData/text").asText()).isEqualTo("payload");
        assertThat(upload.at("/request/postData/mimeType").asText()).isEmpty(); // content-type was not selected
        assertThat(upload.at("/request/bodySize").asLong()).isEqualTo(7);
        assertThat(upload.at("/response/content/text").asText()).contains("\"bytes\":7");
    }

    @Test
    void ringWrapsAtCapacityAndLimitFilterAndClearWork() throws Exception {
        sidecar.apply(config("{capacity: 3}", "[]"));
        try (RawHttpClient c = client()) {
            for (int i = 1; i <= 5; i++) {
                assertThat(c.get("/api/items?n=" + i).status()).isEqualTo(200);
            }
        }
        eventually(5_000, () -> assertThat(buffer().recorded()).isEqualTo(5));
        JsonNode all = getJson("/v1/recordings");
        assertThat(entries(all)).extracting(n -> n.path("uri").asText())
                .containsExactly("/api/items?n=3", "/api/items?n=4", "/api/items?n=5");
        assertThat(all.at("/listeners/web/capacity").asInt()).isEqualTo(3);
        assertThat(all.at("/listeners/web/recorded").asInt()).isEqualTo(5);
        assertThat(entries(getJson("/v1/recordings?limit=2&listener=web"))).extracting(n -> n.path("id").asInt())
                .containsExactly(4, 5);
        assertThat(entries(getJson("/v1/recordings?listener=quiet"))).isEmpty();
        assertThat(call("GET", "/v1/recordings?listener=nope", null, null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/v1/recordings?limit=0", null, null).statusCode()).isEqualTo(400);
        assertThat(call("GET", "/v1/recordings?format=xml", null, null).statusCode()).isEqualTo(400);

        HttpResponse<String> unauthorized = call("DELETE", "/v1/recordings", null, null);
        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertThat(entries(getJson("/v1/recordings"))).hasSize(3);
        HttpResponse<String> cleared = call("DELETE", "/v1/recordings", null, TOKEN);
        assertThat(cleared.statusCode()).as(cleared.body()).isEqualTo(200);
        assertThat(JSON.readTree(cleared.body()).path("cleared").asInt()).isEqualTo(3);
        assertThat(entries(getJson("/v1/recordings"))).isEmpty();
    }

    private RecordingBuffer buffer() {
        return sidecar.engine().listenerStats().get("web").recordings;
    }

    @Test
    void aConfigThatKeepsRecordingKeepsTheBufferAndTurningItOffFreesIt() throws Exception {
        sidecar.apply(config("{capacity: 5}", "[]"));
        try (RawHttpClient c = client()) { // one keep-alive connection through every change
            assertThat(c.get("/api/items").status()).isEqualTo(200);
            assertThat(c.get("/echo").status()).isEqualTo(200);
            eventually(5_000, () -> assertThat(buffer().size()).isEqualTo(2));
            RecordingBuffer before = buffer();
            sidecar.apply(config("{capacity: 8, headers: [x-request-id]}", "[{name: r, latency: {fixed: 1ms}}]"));
            assertThat(buffer()).isSameAs(before);
            assertThat(buffer().capacity()).isEqualTo(8);
            assertThat(c.get("/api/items?third", "X-Request-Id: r-3").status()).isEqualTo(200);
            JsonNode kept = awaitEntries("/v1/recordings", 3);
            assertThat(entries(kept).get(2).at("/requestHeaders/x-request-id/0").asText())
                    .as("the new header selection applies from the next request").isEqualTo("r-3");

            sidecar.apply(config(null, "[]"));
            assertThat(sidecar.engine().listenerStats().get("web").recordings).isNull();
            assertThat(c.get("/api/items?unrecorded").status()).isEqualTo(200);
            assertThat(entries(getJson("/v1/recordings"))).isEmpty();

            sidecar.apply(config("{capacity: 5}", "[]"));
            assertThat(buffer()).isNotSameAs(before);
            assertThat(c.get("/api/items?again").status()).isEqualTo(200);
            List<JsonNode> fresh = entries(awaitEntries("/v1/recordings", 1));
            assertThat(fresh.get(0).path("uri").asText()).isEqualTo("/api/items?again");
        }
    }

    @Test
    void aDroppedRequestIsRecordedAsAborted() throws Exception {
        sidecar.apply(config("{}", "[{name: gone, match: {path: /drop}, drop: {}}]"));
        try (RawHttpClient c = client()) {
            c.send("GET /drop HTTP/1.1\r\nHost: test\r\n\r\n");
            assertThat(c.read(false)).isNull();
        }
        JsonNode e = entries(awaitEntries("/v1/recordings", 1)).get(0);
        assertThat(e.path("outcome").asText()).isEqualTo("aborted");
        assertThat(e.path("status").asInt()).isZero();
        assertThat(e.path("rules").toString()).isEqualTo("[\"gone\"]");
        assertThat(e.at("/timings/timeToFirstByteMs").isNull()).isTrue();
        JsonNode har = entries(getJson("/v1/recordings.har")).get(0);
        assertThat(har.at("/response/status").asInt()).isZero();
        assertThat(har.at("/timings/wait").asDouble()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void histogramsCountEveryCompletedRequestPerListenerRecordingOrNot() throws Exception {
        sidecar.apply(config(null, "[{name: teapot, match: {path: /tea}, abort: {status: 418}}]"));
        try (RawHttpClient c = client()) {
            for (int i = 0; i < 4; i++) {
                assertThat(c.get("/api/items").status()).isEqualTo(200);
            }
            assertThat(c.get("/tea").status()).isEqualTo(418);
        }
        eventually(5_000, () -> assertThat(sidecar.engine().listenerStats().get("web").httpTimings.total.snapshot().count())
                .isEqualTo(5));
        HttpResponse<String> r = call("GET", "/metrics", null, null);
        String text = r.body();
        assertThat(text).contains("# TYPE faultline_listener_http_request_duration_seconds histogram\n");
        assertThat(sample(text, "faultline_listener_http_request_duration_seconds_count{listener=\"web\"}")).isEqualTo(5);
        assertThat(sample(text, "faultline_listener_http_time_to_first_byte_seconds_count{listener=\"web\"}")).isEqualTo(5);
        assertThat(sample(text, "faultline_listener_http_upstream_connect_seconds_count{listener=\"web\"}"))
                .as("one upstream connection for four forwarded requests").isEqualTo(1);
        assertThat(sample(text, "faultline_listener_http_request_duration_seconds_count{listener=\"quiet\"}")).isZero();
        assertThat(sample(text, "faultline_listener_http_request_duration_seconds_bucket{listener=\"web\",le=\"+Inf\"}"))
                .isEqualTo(5);
        assertThat(sample(text, "faultline_listener_http_request_duration_seconds_sum{listener=\"web\"}")).isGreaterThan(0);
        // Buckets are cumulative: never decreasing with le.
        Matcher m = Pattern.compile("faultline_listener_http_time_to_first_byte_seconds_bucket\\{listener=\"web\",le=\"([^\"]+)\"} (\\d+)")
                .matcher(text);
        long previous = -1;
        int buckets = 0;
        while (m.find()) {
            long v = Long.parseLong(m.group(2));
            assertThat(v).isGreaterThanOrEqualTo(previous);
            previous = v;
            buckets++;
        }
        assertThat(buckets).isEqualTo(16);
        JsonNode stats = getJson("/v1/stats");
        assertThat(stats.at("/listeners/web/timings/total/count").asLong()).isEqualTo(5);
        assertThat(stats.at("/listeners/web/recording").isMissingNode()).isTrue();
        assertThat(stats.at("/rules/teapot/matched").asLong()).isEqualTo(1);
        assertThat(stats.at("/rules/teapot/injected").asLong()).isEqualTo(1);
    }

    private static double sample(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError("no sample " + series + " in\n" + text);
    }
}
