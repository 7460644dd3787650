package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.sidecar.testing.InProcessSidecar;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * slowBody and rewrite through real sockets, in front of a real upstream (a chunked streaming
 * endpoint, an upload digest, an echo). Timing is judged as behaviour: a paced body cannot arrive
 * sooner than its size allows at the rate; the upper bounds only catch a stall.
 */
class BodyPacingAndRewriteSocketTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestHttpUpstream upstream;
    private InProcessSidecar sidecar;

    @BeforeEach
    void setUp() throws Exception {
        upstream = new TestHttpUpstream();
        sidecar = new InProcessSidecar(3);
    }

    @AfterEach
    void tearDown() {
        sidecar.close();
        upstream.close();
    }

    private void rules(String version, String rules) throws Exception {
        sidecar.apply("""
                version: "%s"
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://%s"}
                rules: %s
                """.formatted(version, upstream.address(), rules));
    }

    private static byte[] streamBody(int chunks, int size) {
        byte[] all = new byte[chunks * size];
        for (int i = 0; i < chunks; i++) {
            java.util.Arrays.fill(all, i * size, (i + 1) * size, (byte) ('a' + i % 26));
        }
        return all;
    }

    @Test
    void aStreamedResponseBodyArrivesNoFasterThanTheRateAndIntact() throws Exception {
        rules("1", "[{name: slow, match: {path: /stream}, slowBody: {rate: 20KB}}]");
        try (RawHttpClient c = new RawHttpClient(sidecar.port("web"))) {
            long start = System.nanoTime();
            RawHttpClient.Response r = c.get("/stream?chunks=30&size=1000"); // 30,000 bytes: 1.5 s at 20 KB/s
            double seconds = (System.nanoTime() - start) / 1e9;

            assertThat(r.status()).isEqualTo(200);
            assertThat(TestHttpUpstream.sha256(r.body())).isEqualTo(TestHttpUpstream.sha256(streamBody(30, 1000)));
            // The first 20 ms slice (400 bytes) may go at once: at least (30,000 - 400) / 20,000 s.
            assertThat(seconds).as("seconds for 30,000 bytes at 20 KB/s").isGreaterThanOrEqualTo(1.48).isLessThan(15);
            // Not paced: the same connection, another path.
            assertThat(c.get("/api/items").status()).isEqualTo(200);
        }
    }

    @Test
    void anUploadIsPacedWithStreamUpstreamAndArrivesIntact() throws Exception {
        rules("1", "[{name: slow-upload, stream: upstream, slowBody: {rate: 20KB}}]");
        byte[] upload = streamBody(25, 1000);
        try (RawHttpClient c = new RawHttpClient(sidecar.port("web"))) {
            long start = System.nanoTime();
            c.send(("POST /upload HTTP/1.1\r\nHost: s\r\nContent-Length: " + upload.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            c.send(upload);
            RawHttpClient.Response r = c.read(false);
            double seconds = (System.nanoTime() - start) / 1e9;

            JsonNode digest = JSON.readTree(r.body());
            assertThat(digest.path("bytes").asInt()).isEqualTo(upload.length);
            assertThat(digest.path("sha256").asText()).isEqualTo(TestHttpUpstream.sha256(upload));
            assertThat(seconds).as("seconds for 25,000 bytes at 20 KB/s").isGreaterThanOrEqualTo(1.23).isLessThan(15);
        }
    }

    @Test
    void removingTheRuleMidBodyLetsTheRestThroughWithoutLosingAByte() throws Exception {
        rules("1", "[{name: slow, slowBody: {rate: 10KB}}]"); // 40,000 bytes would take 4 s
        try (RawHttpClient c = new RawHttpClient(sidecar.port("web"))) {
            CompletableFuture<RawHttpClient.Response> response = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.get("/stream?chunks=40&size=1000");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertThat(response).isNotDone();
            rules("2", "[]");
            RawHttpClient.Response r = response.get(10, TimeUnit.SECONDS);
            assertThat(TestHttpUpstream.sha256(r.body())).isEqualTo(TestHttpUpstream.sha256(streamBody(40, 1000)));
            assertThat(sidecar.engine().ruleStats()).doesNotContainKey("slow");
        }
    }

    @Test
    void theUpstreamSeesTheRewrittenMethodAndPath() throws Exception {
        rules("1", "[{name: v1-to-root, match: {path: \"/v1/**\"}, rewrite: {method: POST, pathRegex: '^/v1/(.*)', replacement: '/$1'}}]");
        try (RawHttpClient c = new RawHttpClient(sidecar.port("web"))) {
            JsonNode echoed = JSON.readTree(c.get("/v1/echo?x=1").body());
            assertThat(echoed.path("method").asText()).isEqualTo("POST");
            assertThat(echoed.path("uri").asText()).isEqualTo("/echo?x=1");
            JsonNode untouched = JSON.readTree(c.get("/echo?y=2").body());
            assertThat(untouched.path("method").asText()).isEqualTo("GET");
            assertThat(untouched.path("uri").asText()).isEqualTo("/echo?y=2");
        }
        assertThat(upstream.count("/echo")).isEqualTo(2);
        assertThat(upstream.count("/v1/echo")).isZero();
    }
}
