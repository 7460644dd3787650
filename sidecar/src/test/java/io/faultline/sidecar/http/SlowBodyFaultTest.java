package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** slowBody on EmbeddedChannels with virtual time: paced slices, heads unpaced, removal flushes, nothing lost. */
class SlowBodyFaultTest {
    private static final String GET = "GET /file HTTP/1.1\r\nHost: s\r\n\r\n";
    /** 1000 B/s: one 20-byte slice every 20 ms. */
    private static final String PACED = "[{name: slow, slowBody: {rate: 1000}}]";

    private static String body(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + i % 26));
        }
        return sb.toString();
    }

    private static String bodyOf(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void theResponseBodyComesAtTheRateTheHeadAtOnce() {
        String body = body(200);
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(PACED, 1)) {
            p.send(GET);
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n" + body);

            String first = p.clientReceived();
            assertThat(first).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 200");
            assertThat(bodyOf(first)).as("the first slice goes at once").isEqualTo(body.substring(0, 20));
            StringBuilder got = new StringBuilder(bodyOf(first));
            for (int slice = 1; slice < 10; slice++) {
                p.advance(19);
                assertThat(p.clientReceived()).as("nothing before the slice is due").isEmpty();
                p.advance(1);
                got.append(p.clientReceived());
                assertThat(got.length()).as("after %d ms", slice * 20).isEqualTo(20 * (slice + 1));
            }
            assertThat(got.toString()).isEqualTo(body);
            assertThat(p.rule("slow").injected.sum()).isEqualTo(1);

            // Keep-alive goes on; the next response is paced too (every request is a new draw).
            p.send(GET);
            assertThat(p.upstreamReceived()).startsWith("GET /file");
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + body(40));
            assertThat(bodyOf(p.clientReceived())).hasSize(20);
            p.advance(20);
            assertThat(p.clientReceived()).hasSize(20);
        }
    }

    @Test
    void aChunkedBodyKeepsItsFramingAndTheUpstreamIsNotReadAheadWithoutBound() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: slow, slowBody: {rate: 2KB}}]", 1)) {
            p.send(GET);
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "c8\r\n" + body(200) + "\r\n");
            p.upstreamSends("0\r\n\r\n");
            String out = p.clientReceived();
            for (int i = 0; i < 10; i++) {
                p.advance(20);
                out += p.clientReceived();
            }
            assertThat(out).containsIgnoringCase("transfer-encoding: chunked").endsWith("0\r\n\r\n");
            String chunks = bodyOf(out);
            StringBuilder data = new StringBuilder();
            int at = 0;
            while (true) {
                int eol = chunks.indexOf("\r\n", at);
                int size = Integer.parseInt(chunks.substring(at, eol), 16);
                if (size == 0) {
                    break;
                }
                data.append(chunks, eol + 2, eol + 2 + size);
                at = eol + 2 + size + 2;
            }
            assertThat(data.toString()).isEqualTo(body(200));
        }
    }

    @Test
    void removingTheRuleMidBodySendsTheRestAtOnceWithoutLosingAByte() {
        String body = body(1000);
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(PACED, 1)) {
            p.send(GET);
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + body);
            StringBuilder got = new StringBuilder(bodyOf(p.clientReceived()));
            p.advance(20);
            p.advance(20);
            got.append(p.clientReceived());
            assertThat(got).hasSize(60);

            p.active = List.of(); // the configuration without the rule
            p.advance(20);
            got.append(p.clientReceived());
            assertThat(got.toString()).isEqualTo(body);
        }
    }

    @Test
    void rateZeroStallsTheBodyUntilTheRuleGoes() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: stall, slowBody: {rate: 0}}]", 1)) {
            p.send(GET);
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n");
            p.advance(5_000);
            assertThat(p.clientReceived()).isEmpty();
            p.active = List.of();
            p.advance(100);
            assertThat(p.clientReceived()).isEqualTo("hello");
        }
    }

    @Test
    void streamUpstreamPacesTheRequestBody() {
        String body = body(100);
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: slow-upload, stream: upstream, slowBody: {rate: 1000}}]", 1)) {
            p.send("POST /upload HTTP/1.1\r\nHost: s\r\nContent-Length: 100\r\n\r\n" + body);
            String up = p.upstreamReceived();
            assertThat(up).startsWith("POST /upload");
            StringBuilder got = new StringBuilder(bodyOf(up));
            assertThat(got).hasSize(20);
            for (int i = 0; i < 4; i++) {
                p.advance(20);
                got.append(p.upstreamReceived());
            }
            assertThat(got.toString()).isEqualTo(body);
            // The response is not paced (stream: upstream only).
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + body);
            assertThat(bodyOf(p.clientReceived())).isEqualTo(body);
        }
    }

    @Test
    void aClientThatGoesAwayMidBodyLeavesNothingHeld() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(PACED, 1)) {
            p.send(GET);
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + body(1000));
            p.clientReceived();
            p.client.close();
            p.advance(1_000); // the pacer's next slice finds the connection closed and releases the part
            assertThat(p.upstream().isOpen()).isFalse();
        } // LeakCheckExtension fails the test on any unreleased buffer
    }

    @Test
    void theRateUsesTheBandwidthGrammarAndBadValuesNameTheField() {
        assertThat(EmbeddedHttpProxy.activeRules("[{name: s, slowBody: {rate: 2Mbps}}]").get(0).spec().fault())
                .isEqualTo(new SlowBodyFault(250_000));
        assertThatThrownBy(() -> EmbeddedHttpProxy.activeRules("[{name: s, slowBody: {rate: fast}}]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rules[0].slowBody.rate");
        assertThatThrownBy(() -> EmbeddedHttpProxy.activeRules("[{name: s, slowBody: {}}]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rules[0].slowBody.rate");
    }
}
