package io.faultline.sidecar.admin;

import static io.faultline.sidecar.admin.AdminFixture.expect;
import static io.faultline.sidecar.admin.AdminFixture.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.Socket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** /v1/stats and /metrics count real traffic through a real listener. */
class StatsApiTest {
    private AdminFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture();
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private String putConfig(String version) {
        String body = "{\"version\":" + AdminFixture.JSON.valueToTree(version) + ",\"expiresAt\":\"2999-01-01T00:00:00Z\","
                + "\"listeners\":[{\"name\":\"echo\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + f.upstream.address() + "\"},"
                + "{\"name\":\"idle\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + f.upstream.address() + "\",\"enabled\":false},"
                + "{\"name\":\"web\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"http://" + f.upstream.address() + "\"}],"
                + "\"rules\":[{\"name\":\"tiny-delay\",\"listeners\":[\"echo\"],\"latency\":{\"fixed\":\"1ms\"}}]}";
        return expect(f.call("PUT", "/v1/config", body), 200).at("/listeners/0/bound").asText();
    }

    @Test
    void statsCountConnectionsBytesAndInjections() throws Exception {
        String bound = putConfig("42");
        String line = "x".repeat(99); // 100 bytes with the newline
        try (Socket s = AdminFixture.connect(bound)) {
            assertThat(roundTrip(s, line)).isEqualTo(line);
            assertThat(roundTrip(s, line)).isEqualTo(line);
            JsonNode open = expect(f.get("/v1/stats"), 200);
            assertThat(open.at("/listeners/echo/connectionsActive").asLong()).isEqualTo(1);
        }
        JsonNode stats = awaitStats(s -> s.at("/listeners/echo/connectionsActive").asLong() == 0);
        assertThat(stats.path("version").asText()).isEqualTo("42");
        assertThat(stats.path("expiresAt").asText()).isEqualTo("2999-01-01T00:00:00Z");
        assertThat(stats.path("expired").asBoolean()).isFalse();
        JsonNode echo = stats.at("/listeners/echo");
        assertThat(echo.path("bound").asText()).isEqualTo(bound);
        assertThat(echo.path("connectionsTotal").asLong()).isEqualTo(1);
        assertThat(echo.path("connectionsRejected").asLong()).isZero();
        assertThat(echo.path("upstreamConnectFailures").asLong()).isZero();
        assertThat(echo.path("bytesUpstream").asLong()).isEqualTo(200);
        assertThat(echo.path("bytesDownstream").asLong()).isEqualTo(200);
        JsonNode idle = stats.at("/listeners/idle");
        assertThat(idle.path("bound").isNull()).isTrue();
        assertThat(idle.path("connectionsTotal").asLong()).isZero();
        JsonNode rule = stats.at("/rules/tiny-delay");
        assertThat(rule.path("connections").asLong()).isEqualTo(1);
        assertThat(rule.path("injected").asLong()).isGreaterThanOrEqualTo(1);
    }

    /** appliedAt: absent before any config, the commit moment of each accepted PUT, untouched by a rejected one. */
    @Test
    void appliedAtTellsWhenTheConfigInForceWasCommitted() throws Exception {
        assertThat(expect(f.get("/v1/stats"), 200).path("appliedAt").isNull()).isTrue();

        Instant beforeFirst = Instant.now();
        putConfig("1");
        Instant afterFirst = Instant.now();
        Instant first = Instant.parse(expect(f.get("/v1/stats"), 200).path("appliedAt").asText());
        assertThat(first).isBetween(beforeFirst, afterFirst);

        Thread.sleep(5);
        putConfig("2");
        JsonNode second = expect(f.get("/v1/stats"), 200);
        assertThat(second.path("version").asText()).isEqualTo("2");
        Instant secondAt = Instant.parse(second.path("appliedAt").asText());
        assertThat(secondAt).isAfter(first).isBeforeOrEqualTo(Instant.now());

        expect(f.call("PUT", "/v1/config", "{\"version\":\"3\",\"listeners\":[{\"name\":\"x\"}]}"), 400);
        JsonNode afterRejected = expect(f.get("/v1/stats"), 200);
        assertThat(afterRejected.path("version").asText()).isEqualTo("2");
        assertThat(Instant.parse(afterRejected.path("appliedAt").asText())).isEqualTo(secondAt);
    }

    @Test
    void upstreamFailuresAreCounted() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        String body = "{\"listeners\":[{\"name\":\"dead\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:" + deadPort + "\"}]}";
        String bound = expect(f.call("PUT", "/v1/config", body), 200).at("/listeners/0/bound").asText();
        try (Socket s = AdminFixture.connect(bound)) {
            assertThat(s.getInputStream().read()).isEqualTo(-1); // closed promptly, no hang
        }
        JsonNode stats = awaitStats(s -> s.at("/listeners/dead/upstreamConnectFailures").asLong() == 1);
        assertThat(stats.at("/listeners/dead/connectionsTotal").asLong()).isEqualTo(1);
    }

    @Test
    void metricsAreValidPrometheusTextWithEscapedLabels() throws Exception {
        String bound = putConfig("v\"1\\beta\nnext");
        assertThat(roundTrip(bound, "abc")).isEqualTo("abc");
        awaitStats(s -> s.at("/listeners/echo/connectionsActive").asLong() == 0);
        AdminFixture.Reply r = f.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        String text = r.body();
        assertThat(text).contains("faultline_config_info{version=\"v\\\"1\\\\beta\\nnext\"} 1\n");
        assertThat(text).contains("faultline_listener_bytes_total{listener=\"echo\",direction=\"upstream\"} 4\n");
        assertThat(text).contains("faultline_listener_bytes_total{listener=\"echo\",direction=\"downstream\"} 4\n");
        assertThat(text).contains("faultline_listener_connections_total{listener=\"echo\"} 1\n");
        assertThat(text).contains("faultline_listener_up{listener=\"echo\"} 1\n");
        assertThat(text).contains("faultline_listener_up{listener=\"idle\"} 0\n");
        assertThat(text).contains("faultline_rule_connections_total{rule=\"tiny-delay\"} 1\n");
        assertThat(text).contains("faultline_config_expires_at_seconds 32472144000\n");
        assertThat(text).contains("faultline_listener_http_request_duration_seconds_bucket{listener=\"web\",le=\"0.0005\"} 0\n");
        assertThat(text).contains("faultline_listener_http_request_duration_seconds_bucket{listener=\"web\",le=\"+Inf\"} 0\n");
        assertThat(text).contains("faultline_listener_http_request_duration_seconds_sum{listener=\"web\"} 0\n");
        assertThat(text).doesNotContain("duration_seconds_count{listener=\"echo\"}"); // tcp listeners have no request timings
        assertWellFormed(text);
    }

    /** Every sample line belongs to the family declared just before it, each family declared once. */
    private static void assertWellFormed(String text) {
        Pattern sample = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\"\\\\n])*\",?)*\\})? -?[0-9]+(\\.[0-9]+)?");
        Set<String> declared = new HashSet<>();
        String family = null;
        String type = null;
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        assertThat(text).endsWith("\n");
        for (String line : lines) {
            if (line.startsWith("# HELP ")) {
                family = line.split(" ")[2];
                assertThat(declared.add(family)).as("declared once: %s", family).isTrue();
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertThat(parts[2]).isEqualTo(family);
                type = parts[3];
                assertThat(type).isIn("counter", "gauge", "histogram");
                if (parts[3].equals("counter")) {
                    assertThat(family).endsWith("_total");
                }
            } else {
                Matcher m = sample.matcher(line);
                assertThat(m.matches()).as("sample line: %s", line).isTrue();
                if ("histogram".equals(type)) {
                    assertThat(m.group(1)).isIn(family + "_bucket", family + "_sum", family + "_count");
                    if (m.group(1).endsWith("_bucket")) {
                        assertThat(line).containsPattern(",le=\"([0-9.]+|\\+Inf)\"}");
                    }
                } else {
                    assertThat(m.group(1)).isEqualTo(family);
                }
                assertThat(family).startsWith("faultline_");
            }
        }
    }

    @Test
    void escaping() {
        assertThat(PrometheusText.escapeLabelValue("a\\b\"c\nd")).isEqualTo("a\\\\b\\\"c\\nd");
        assertThat(PrometheusText.escapeHelp("a\\b\"c\nd")).isEqualTo("a\\\\b\"c\\nd");
    }

    private JsonNode awaitStats(java.util.function.Predicate<JsonNode> done) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        JsonNode s;
        do {
            s = expect(f.get("/v1/stats"), 200);
            if (done.test(s)) {
                return s;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("stats never reached the expected state: " + s);
    }
}
