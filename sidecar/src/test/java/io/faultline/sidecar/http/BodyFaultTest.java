package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** body: replace and RFC 7396 merge patch, Content-Length fixed up, bounded holding. */
class BodyFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GET = "GET /api/user HTTP/1.1\r\nHost: s\r\n\r\n";

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', value = { // RFC 7396 appendix A
        "{\"a\":\"b\"}|{\"a\":\"c\"}|{\"a\":\"c\"}",
        "{\"a\":\"b\"}|{\"b\":\"c\"}|{\"a\":\"b\",\"b\":\"c\"}",
        "{\"a\":\"b\"}|{\"a\":null}|{}",
        "{\"a\":\"b\",\"b\":\"c\"}|{\"a\":null}|{\"b\":\"c\"}",
        "{\"a\":[\"b\"]}|{\"a\":\"c\"}|{\"a\":\"c\"}",
        "{\"a\":\"c\"}|{\"a\":[\"b\"]}|{\"a\":[\"b\"]}",
        "{\"a\":{\"b\":\"c\"}}|{\"a\":{\"b\":\"d\",\"c\":null}}|{\"a\":{\"b\":\"d\"}}",
        "{\"a\":[{\"b\":\"c\"}]}|{\"a\":[1]}|{\"a\":[1]}",
        "[\"a\",\"b\"]|[\"c\",\"d\"]|[\"c\",\"d\"]",
        "{\"a\":\"b\"}|[\"c\"]|[\"c\"]",
        "{\"a\":\"foo\"}|null|null",
        "{\"a\":\"foo\"}|\"bar\"|\"bar\"",
        "{\"e\":null}|{\"a\":1}|{\"e\":null,\"a\":1}",
        "[1,2]|{\"a\":\"b\",\"c\":null}|{\"a\":\"b\"}",
        "{}|{\"a\":{\"bb\":{\"ccc\":null}}}|{\"a\":{\"bb\":{}}}",
    })
    void mergePatchFollowsRfc7396(String target, String patch, String result) throws Exception {
        JsonNode merged = BodyFault.mergePatch(JSON.readTree(target), JSON.readTree(patch));
        assertThat(merged).isEqualTo(JSON.readTree(result));
    }

    @Test
    void replaceSetsTheNewBodyAndItsLength() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(
                "[{name: b, body: {replace: 'under maintenance', contentType: text/plain}}]", 1)) {
            p.send(GET);
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"a\":123}");
            String out = p.clientReceived();
            assertThat(out).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 17")
                    .containsIgnoringCase("content-type: text/plain").endsWith("\r\n\r\nunder maintenance");
            assertThat(p.client.isOpen()).isTrue();
        }
    }

    @Test
    void jsonPatchRewritesAChunkedJsonBodyWithAContentLength() throws Exception {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(
                "[{name: b, body: {jsonPatch: {user: {tmp: null, role: admin}, items: []}}}]", 1)) {
            p.send(GET);
            p.upstreamReceived();
            String json = "{\"items\":[1,2],\"user\":{\"name\":\"a\",\"tmp\":1}}";
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "10\r\n" + json.substring(0, 16) + "\r\n");
            assertThat(p.clientReceived()).as("held until the body is complete").isEmpty();
            String rest = json.substring(16);
            p.upstreamSends(Integer.toHexString(rest.length()) + "\r\n" + rest + "\r\n0\r\n\r\n");
            String out = p.clientReceived();
            String body = out.substring(out.indexOf("\r\n\r\n") + 4);
            assertThat(JSON.readTree(body)).isEqualTo(JSON.readTree("{\"items\":[],\"user\":{\"name\":\"a\",\"role\":\"admin\"}}"));
            assertThat(out).containsIgnoringCase("content-length: " + body.length()).doesNotContainIgnoringCase("chunked");
            // Keep-alive goes on.
            p.send(GET);
            assertThat(p.upstreamReceived()).startsWith("GET");
        }
    }

    @Test
    void jsonPatchLeavesOtherBodiesAlone() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: b, body: {jsonPatch: {a: 1}}}]", 1)) {
            p.send(GET);
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\n<p/>!");
            assertThat(p.clientReceived()).endsWith("\r\n\r\n<p/>!");
        }
    }

    @Test
    void bodiesOverTheLimitPassUnchanged() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: b, body: {replace: small}}]", 1)) {
            p.send(GET);
            p.upstreamReceived();
            int size = HttpProxyConnection.MAX_BODY_FOR_FAULTS + 100_000;
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n");
            StringBuilder received = new StringBuilder();
            for (int sent = 0; sent < size; sent += 100_000) {
                p.upstreamSends("x".repeat(Math.min(100_000, size - sent)));
                received.append(p.clientReceived());
            }
            String out = received.toString();
            assertThat(out).containsIgnoringCase("content-length: " + size);
            assertThat(out.length() - out.indexOf("\r\n\r\n") - 4).isEqualTo(size);
            assertThat(out).doesNotContain("small");
        }
    }
}
