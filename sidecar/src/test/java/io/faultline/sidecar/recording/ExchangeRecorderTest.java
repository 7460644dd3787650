package io.faultline.sidecar.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.config.RecordingSpec;
import io.faultline.sidecar.engine.ListenerStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-connection recorder, driven call by call with chosen clock values. */
class ExchangeRecorderTest {
    private final ListenerStats stats = new ListenerStats();
    private final ExchangeRecorder recorder = new ExchangeRecorder("web", stats);

    private static HttpRequest request(String uri) {
        HttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        r.headers().set("Host", "shop.local").add("X-Tag", "a").add("X-Tag", "b").set("X-Secret", "s")
                .set("X-Long", "v".repeat(1000));
        ((DefaultFullHttpRequest) r).release();
        return r;
    }

    private static HttpResponse response() {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED);
        r.headers().set("Content-Type", "application/json").set("X-Tag", "resp");
        return r;
    }

    private void feed(ByteBuf buf, boolean request) {
        try {
            if (request) {
                recorder.requestBody(buf);
            } else {
                recorder.responseBody(buf);
            }
        } finally {
            buf.release();
        }
    }

    @Test
    void offRecordsNothingButTheHistogramsCount() {
        recorder.requestReceived(request("/a"), 1_000);
        recorder.forwardingStarted(true, 1_100);
        recorder.upstreamConnected(1_600);
        recorder.requestSent(1_700);
        recorder.responseStarted(response(), 5_000);
        recorder.responseComplete(List.of(), 9_000);
        assertThat(stats.recordings).isNull();
        assertThat(stats.httpTimings.upstreamConnect.snapshot().count()).isEqualTo(1);
        assertThat(stats.httpTimings.upstreamConnect.snapshot().sumSeconds()).isEqualTo(500e-9);
        assertThat(stats.httpTimings.timeToFirstByte.snapshot().sumSeconds()).isEqualTo(4_000e-9);
        assertThat(stats.httpTimings.total.snapshot().sumSeconds()).isEqualTo(8_000e-9);
    }

    @Test
    void forwardedExchangeOnANewConnection() {
        stats.recordings = new RecordingBuffer(new RecordingSpec(10, List.of("x-tag", "x-long", "content-type"), 8));
        recorder.requestReceived(request("/api/items?q=1"), 1_000_000);
        feed(Unpooled.copiedBuffer("hello ", StandardCharsets.UTF_8), true);
        recorder.forwardingStarted(true, 3_000_000);
        recorder.upstreamConnected(4_000_000);
        feed(Unpooled.copiedBuffer("world!", StandardCharsets.UTF_8), true);
        recorder.requestSent(5_000_000);
        recorder.responseStarted(response(), 9_000_000);
        feed(Unpooled.copiedBuffer("{\"ok\":true}", StandardCharsets.UTF_8), false);
        recorder.responseComplete(List.of("slow"), 10_000_000);

        RecordedExchange e = stats.recordings.newest(1).get(0);
        assertThat(e.id()).isEqualTo(1);
        assertThat(e.method()).isEqualTo("POST");
        assertThat(e.uri()).isEqualTo("/api/items?q=1");
        assertThat(e.host()).isEqualTo("shop.local");
        assertThat(e.status()).isEqualTo(201);
        assertThat(e.outcome()).isEqualTo("forwarded");
        assertThat(e.rules()).containsExactly("slow");
        assertThat(e.requestHeaders()).extracting(RecordedExchange.Header::name)
                .as("only the selected ones, every value").containsExactly("x-tag", "x-tag", "x-long");
        assertThat(e.requestHeaders().get(2).value()).hasSize(ExchangeRecorder.MAX_VALUE);
        assertThat(e.responseHeaders()).extracting(RecordedExchange.Header::value)
                .containsExactly("resp", "application/json");
        assertThat(e.responseContentType()).isEqualTo("application/json");
        assertThat(new String(e.requestBody().captured(), StandardCharsets.UTF_8)).isEqualTo("hello wo");
        assertThat(e.requestBody().size()).isEqualTo(12);
        assertThat(e.requestBody().truncated()).isTrue();
        assertThat(new String(e.responseBody().captured(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":tr");
        assertThat(e.connectNanos()).isEqualTo(1_000_000);
        assertThat(e.timeToFirstByteNanos()).isEqualTo(8_000_000);
        assertThat(e.totalNanos()).isEqualTo(9_000_000);
        assertThat(e.harPhasesNanos()).containsExactly(2_000_000, 1_000_000, 1_000_000, 4_000_000, 1_000_000);
    }

    @Test
    void reusedConnectionAndLocalAnswerAndAbort() {
        stats.recordings = new RecordingBuffer(new RecordingSpec(10, List.of(), 0));
        // Kept-alive upstream: no connect phase; blocked runs to the head's departure.
        recorder.requestReceived(request("/1"), 0);
        recorder.forwardingStarted(false, 300);
        recorder.requestSent(400);
        recorder.responseStarted(response(), 1_000);
        recorder.responseComplete(List.of(), 1_500);
        // Answered by a fault.
        recorder.requestReceived(request("/2"), 2_000);
        recorder.responseStarted(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE), 2_100);
        recorder.responseComplete(List.of("errors"), 2_200);
        // Cut short: forwarded, no answer.
        recorder.requestReceived(request("/3"), 3_000);
        recorder.forwardingStarted(false, 3_100);
        recorder.requestSent(3_200);
        recorder.aborted(List.of(), 3_900);
        recorder.aborted(List.of(), 4_000); // nothing in progress: ignored

        List<RecordedExchange> all = stats.recordings.newest(10);
        assertThat(all).hasSize(3);
        RecordedExchange reused = all.get(0);
        assertThat(reused.connectNanos()).isEqualTo(-1);
        assertThat(reused.harPhasesNanos()).containsExactly(300, -1, 100, 600, 500);
        assertThat(reused.requestBody().captured()).as("bodyBytes 0: no body kept").isNull();
        RecordedExchange answered = all.get(1);
        assertThat(answered.outcome()).isEqualTo("answered");
        assertThat(answered.status()).isEqualTo(503);
        assertThat(answered.rules()).containsExactly("errors");
        assertThat(answered.harPhasesNanos()).containsExactly(-1, -1, 0, 100, 100);
        RecordedExchange aborted = all.get(2);
        assertThat(aborted.outcome()).isEqualTo("aborted");
        assertThat(aborted.status()).isZero();
        assertThat(aborted.timeToFirstByteNanos()).isEqualTo(-1);
        assertThat(aborted.totalNanos()).isEqualTo(900);
        assertThat(aborted.harPhasesNanos()).containsExactly(100, -1, 100, 700, 0);
        assertThat(stats.httpTimings.total.snapshot().count()).as("aborted ones are not timed").isEqualTo(2);
    }

    @Test
    void malformedRequestIsRecordedWithItsAnswer() {
        stats.recordings = new RecordingBuffer(new RecordingSpec(10, List.of(), 0));
        recorder.requestReceived(null, 0);
        recorder.responseStarted(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST), 10);
        recorder.responseComplete(List.of(), 20);
        RecordedExchange e = stats.recordings.newest(1).get(0);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.method()).isEmpty();
        assertThat(e.outcome()).isEqualTo("answered");
    }

    @Test
    void harPhasesAlwaysAddUpToTheTotal() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long[] marks = new long[6];
            for (int m = 0; m < 6; m++) {
                marks[m] = random.nextInt(4) == 0 ? -1 : random.nextLong(1_000);
            }
            long end = random.nextLong(1_000);
            RecordedExchange e = new RecordedExchange(0, "web", 0, "GET", "/", "", "HTTP/1.1", 200, "", "forwarded",
                    List.of(), List.of(), List.of(), null, RecordedExchange.Body.NONE, RecordedExchange.Body.NONE,
                    marks[0], marks[1], marks[2], marks[3], marks[4], end);
            long[] p = e.harPhasesNanos();
            long sum = 0;
            for (int k = 0; k < p.length; k++) {
                if (k >= 2) {
                    assertThat(p[k]).as("send/wait/receive are never -1").isGreaterThanOrEqualTo(0);
                } else {
                    assertThat(p[k]).isGreaterThanOrEqualTo(-1);
                }
                sum += Math.max(0, p[k]);
            }
            assertThat(sum).as("marks %s end %d", java.util.Arrays.toString(marks), end).isEqualTo(end);
        }
    }
}
