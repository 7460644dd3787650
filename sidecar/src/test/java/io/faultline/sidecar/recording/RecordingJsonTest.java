package io.faultline.sidecar.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rendering details the socket tests do not reach: odd URIs, binary and cut bodies. */
class RecordingJsonTest {
    private static RecordedExchange entry(String uri, byte[] requestBody, long requestSize, byte[] responseBody,
                                          long responseSize) {
        return new RecordedExchange(9, "web", 0, "POST", uri, "shop", "HTTP/1.1", 200, "OK", "forwarded",
                List.of("r"), List.of(new RecordedExchange.Header("content-type", "application/octet-stream")),
                List.of(), "application/octet-stream", new RecordedExchange.Body(requestSize, requestBody),
                new RecordedExchange.Body(responseSize, responseBody), -1, -1, 1_000_000, 2_000_000, 3_000_000, 4_500_000);
    }

    @Test
    void aQueryThatIsNotValidPercentEncodingIsListedRaw() {
        JsonNode har = RecordingJson.har(List.of(entry("/a?x=%zz&y", null, 0, null, 0)), "dev");
        JsonNode e = har.at("/log/entries/0");
        assertThat(e.at("/request/url").asText()).isEqualTo("http://shop/a?x=%zz&y");
        assertThat(e.at("/request/queryString").toString())
                .isEqualTo("[{\"name\":\"x\",\"value\":\"%zz\"},{\"name\":\"y\",\"value\":\"\"}]");
        assertThat(e.path("time").asDouble()).isEqualTo(4.5);
        assertThat(e.at("/timings/blocked").asDouble()).isEqualTo(1.0);
        assertThat(e.at("/timings/connect").asDouble()).isEqualTo(-1);
        assertThat(e.at("/timings/send").asDouble()).isEqualTo(1.0);
        assertThat(e.at("/timings/wait").asDouble()).isEqualTo(1.0);
        assertThat(e.at("/timings/receive").asDouble()).isEqualTo(1.5);
    }

    @Test
    void binaryBodiesAreBase64AndACutUtf8CharacterStaysText() {
        byte[] binary = {(byte) 0xff, 0, (byte) 0xfe, 1};
        byte[] euro = "ab€".getBytes(StandardCharsets.UTF_8); // € is 3 bytes: keep "ab" + 2 of them
        byte[] cut = java.util.Arrays.copyOf(euro, 4);
        RecordedExchange e = entry("/", cut, euro.length, binary, 100);
        ObjectNode json = RecordingJson.entry(e);
        assertThat(json.at("/requestBody/text").asText()).isEqualTo("ab");
        assertThat(json.at("/requestBody/truncated").asBoolean()).isTrue();
        assertThat(json.at("/responseBody/base64").asText()).isEqualTo("/wD+AQ==");
        assertThat(json.at("/responseBody/size").asLong()).isEqualTo(100);
        JsonNode har = RecordingJson.har(List.of(e), "dev").at("/log/entries/0");
        assertThat(har.at("/response/content/encoding").asText()).isEqualTo("base64");
        assertThat(har.at("/response/content/text").asText()).isEqualTo("/wD+AQ==");
        assertThat(har.at("/response/content/comment").asText()).contains("truncated");
        assertThat(har.at("/request/postData/mimeType").asText()).isEqualTo("application/octet-stream");
        assertThat(har.at("/request/postData/text").asText()).isEqualTo("ab");
        assertThat(RecordingJson.isUtf8(new byte[] {(byte) 0xe2, (byte) 0x82})).isTrue();
        assertThat(RecordingJson.isUtf8(new byte[] {(byte) 0x82, 'a'})).isFalse();
    }

    @Test
    void withoutBodyCaptureNoBodyFieldsAppear() {
        ObjectNode json = RecordingJson.entry(entry("/x", null, 10, null, 20));
        assertThat(json.has("requestBody")).isFalse();
        assertThat(json.at("/timings/connectMs").isNull()).isTrue();
        assertThat(json.at("/timings/timeToFirstByteMs").asDouble()).isEqualTo(3.0);
        assertThat(json.at("/timings/totalMs").asDouble()).isEqualTo(4.5);
        assertThat(json.path("startedAt").asText()).isEqualTo("1970-01-01T00:00:00Z");
    }
}
