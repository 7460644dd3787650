package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.config.RecordingSpec;
import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.recording.RecordedExchange;
import io.faultline.sidecar.recording.RecordingBuffer;
import io.faultline.sidecar.recording.RecordingObserver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The recording observer on an EmbeddedChannel proxy with virtual time: every phase lands where the
 * injected delays and the upstream's pace put it, to the millisecond.
 */
class RecordingObserverTest {
    private static final long MS = 1_000_000;
    private final ListenerStats stats = new ListenerStats();

    private EmbeddedHttpProxy proxy(String rules) {
        return new EmbeddedHttpProxy(EmbeddedHttpProxy.activeRules(rules), 1,
                HttpConnectionOptions.DEFAULTS.withObserver(new RecordingObserver("web", stats)));
    }

    @Test
    void phasesFollowTheRequestDelayTheUpstreamsPaceAndTheResponseDelay() {
        stats.recordings = new RecordingBuffer(new RecordingSpec(10, List.of("content-type"), 4));
        try (EmbeddedHttpProxy p = proxy("""
                [{name: hold-request, match: {path: /first}, latency: {fixed: 30ms}},
                 {name: hold-response, match: {path: /second}, latency: {fixed: 50ms, phase: response}}]""")) {
            p.send("POST /first HTTP/1.1\r\nHost: shop\r\nContent-Length: 5\r\n\r\nhello");
            p.advance(30);
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\n");
            p.advance(7);
            p.upstreamSends("abcdef");
            assertThat(p.clientReceived()).endsWith("abcdef");
            p.send("GET /second HTTP/1.1\r\nHost: shop\r\n\r\n");
            p.advance(2);
            p.upstreamSends("HTTP/1.1 204 No Content\r\n\r\n");
            p.advance(50);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 204");
        }
        List<RecordedExchange> e = stats.recordings.newest(10);
        assertThat(e).hasSize(2);
        RecordedExchange first = e.get(0);
        assertThat(first.rules()).containsExactly("hold-request");
        assertThat(first.connectNanos()).as("connected at once (embedded)").isZero();
        assertThat(first.timeToFirstByteNanos()).isEqualTo(30 * MS);
        assertThat(first.totalNanos()).isEqualTo(37 * MS);
        assertThat(first.harPhasesNanos()).containsExactly(30 * MS, 0, 0, 0, 7 * MS);
        assertThat(new String(first.requestBody().captured(), StandardCharsets.UTF_8)).isEqualTo("hell");
        assertThat(first.requestBody().size()).isEqualTo(5);
        assertThat(new String(first.responseBody().captured(), StandardCharsets.UTF_8)).isEqualTo("abcd");
        assertThat(first.responseBody().size()).isEqualTo(6);
        assertThat(first.responseContentType()).isEqualTo("text/plain");

        RecordedExchange second = e.get(1);
        assertThat(second.status()).isEqualTo(204);
        assertThat(second.rules()).containsExactly("hold-response");
        assertThat(second.connectNanos()).as("kept-alive upstream").isEqualTo(-1);
        assertThat(second.timeToFirstByteNanos()).as("upstream 2 ms + response delay 50 ms").isEqualTo(52 * MS);
        assertThat(second.harPhasesNanos()).containsExactly(0, -1, 0, 52 * MS, 0);

        assertThat(stats.httpTimings.upstreamConnect.snapshot().count()).isEqualTo(1);
        assertThat(stats.httpTimings.timeToFirstByte.snapshot().sumSeconds()).isEqualTo(0.082);
        assertThat(stats.httpTimings.total.snapshot().sumSeconds()).isEqualTo(0.089);
    }

    @Test
    void offTheHistogramsStillCountAndNothingIsKept() {
        try (EmbeddedHttpProxy p = proxy("[]")) {
            p.send("GET /a HTTP/1.1\r\nHost: shop\r\n\r\n");
            p.advance(3);
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            assertThat(p.clientReceived()).endsWith("ok");
        }
        assertThat(stats.recordings).isNull();
        assertThat(stats.httpTimings.total.snapshot().count()).isEqualTo(1);
        assertThat(stats.httpTimings.total.snapshot().sumSeconds()).isEqualTo(0.003);
    }
}
