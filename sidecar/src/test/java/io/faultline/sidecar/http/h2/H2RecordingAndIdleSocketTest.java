package io.faultline.sidecar.http.h2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.sidecar.recording.RecordedExchange;
import io.faultline.sidecar.recording.RecordingJson;
import io.faultline.sidecar.testing.InProcessSidecar;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** h2 streams in the recording ring and the phase histograms; idleTimeout on h2c connections. Real sockets. */
class H2RecordingAndIdleSocketTest extends H2SidecarFixture {
    private static String header(List<RecordedExchange.Header> headers, String name) {
        return headers.stream().filter(h -> h.name().equals(name)).map(RecordedExchange.Header::value)
                .findFirst().orElse(null);
    }

    @Test
    void everyStreamIsARecordedAndTimedExchange() throws Exception {
        apply("1", "recording: {capacity: 10, headers: [content-type, x-upstream], bodyBytes: 64}", """
                [{name: grpc-down, match: {path: /faultline.Echo/Fail}, abort: {grpcStatus: 14, grpcMessage: nope}},
                 {name: rst, match: {path: /rst}, reset: {}}]""");
        client = new H2TestClient(sidecar.port("web"));
        assertThat(await(client.get("/rec?q=1")).status()).isEqualTo("200");
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        assertThat(await(client.send(H2TestClient.request("POST", "/echo"), hello, null)).body()).isEqualTo(hello);
        byte[] message = H2TestClient.grpcMessage("hi".getBytes(StandardCharsets.UTF_8));
        assertThat(await(client.send(H2TestClient.grpc("/faultline.Echo/Fail"), message, null))
                .header("grpc-status")).isEqualTo("14");
        assertThat(await(client.send(H2TestClient.grpc("/faultline.Echo/Say"), message, null))
                .trailer("grpc-status")).isEqualTo("0");
        assertThat(await(client.get("/rst")).resetCode()).isEqualTo(Http2Error.INTERNAL_ERROR.code());

        InProcessSidecar.eventually(5000, () -> assertThat(stats().recordings.size()).isEqualTo(5));
        List<RecordedExchange> e = stats().recordings.newest(10);
        RecordedExchange get = e.get(0);
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.uri()).isEqualTo("/rec?q=1");
        assertThat(get.host()).isEqualTo("svc.test:80");
        assertThat(get.httpVersion()).isEqualTo("HTTP/2.0");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.outcome()).isEqualTo("forwarded");
        assertThat(header(get.responseHeaders(), "x-upstream")).isEqualTo("yes");
        assertThat(get.connectNanos()).as("the first stream opened the upstream connection").isNotNegative();
        assertThat(get.timeToFirstByteNanos()).isPositive().isLessThanOrEqualTo(get.totalNanos());

        RecordedExchange post = e.get(1);
        assertThat(new String(post.requestBody().captured(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(new String(post.responseBody().captured(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(post.connectNanos()).as("the connection was reused").isEqualTo(-1);

        RecordedExchange aborted = e.get(2);
        assertThat(aborted.outcome()).isEqualTo("answered");
        assertThat(aborted.rules()).containsExactly("grpc-down");
        assertThat(aborted.status()).isEqualTo(200);
        assertThat(header(aborted.responseHeaders(), "grpc-status")).isEqualTo("14");
        assertThat(header(aborted.responseHeaders(), "grpc-message")).isEqualTo("nope");

        RecordedExchange grpcOk = e.get(3);
        assertThat(grpcOk.outcome()).isEqualTo("forwarded");
        assertThat(header(grpcOk.responseHeaders(), "content-type")).isEqualTo("application/grpc");
        assertThat(header(grpcOk.responseHeaders(), "grpc-status")).as("from the trailers").isEqualTo("0");

        RecordedExchange reset = e.get(4);
        assertThat(reset.outcome()).isEqualTo("aborted");
        assertThat(reset.rules()).containsExactly("rst");
        assertThat(reset.status()).isZero();

        JsonNode har = RecordingJson.har(e, "test");
        assertThat(har.at("/log/entries/0/request/httpVersion").asText()).isEqualTo("HTTP/2.0");
        assertThat(har.at("/log/entries/0/response/httpVersion").asText()).isEqualTo("HTTP/2.0");

        // Histograms: the four complete exchanges (the reset one is not timed), one upstream connect.
        assertThat(stats().httpTimings.total.snapshot().count()).isEqualTo(4);
        assertThat(stats().httpTimings.timeToFirstByte.snapshot().count()).isEqualTo(4);
        assertThat(stats().httpTimings.upstreamConnect.snapshot().count()).isEqualTo(1);
    }

    @Test
    void withoutRecordingStreamsAreStillTimed() throws Exception {
        apply("1", "responseTimeout: 10s", "[{name: slow, match: {path: /slow}, latency: {fixed: 300ms}}]");
        client = new H2TestClient(sidecar.port("web"));
        assertThat(await(client.get("/slow")).status()).isEqualTo("200");
        assertThat(await(client.get("/fast")).status()).isEqualTo("200");
        assertThat(stats().recordings).isNull();
        InProcessSidecar.eventually(5000, () -> assertThat(stats().httpTimings.total.snapshot().count()).isEqualTo(2));
        assertThat(stats().httpTimings.timeToFirstByte.snapshot().sumSeconds()).isGreaterThanOrEqualTo(0.3);
    }

    @Test
    void anIdleH2ConnectionGetsGoAwayAndIsClosedButNotWhileAStreamIsOpen() throws Exception {
        apply("1", "idleTimeout: 1500ms", "[]");
        client = new H2TestClient(sidecar.port("web"));
        H2TestClient.OpenStream held = client.open(H2TestClient.request("POST", "/hold"));
        InProcessSidecar.eventually(5000, () -> assertThat(stats().http.forwarded.sum()).isEqualTo(1));
        Thread.sleep(3500); // over two idle timeouts with a stream open
        assertThat(client.connection.isActive()).as("a connection with an open stream is not idle").isTrue();
        assertThat(await(client.get("/ok")).status()).isEqualTo("200");
        held.channel().writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
        assertThat(client.connection.closeFuture().await(10, TimeUnit.SECONDS)).as("closed once idle").isTrue();
        assertThat(client.goAways).containsExactly(Http2Error.NO_ERROR.code());
        assertThat(stats().http.idleClosed.sum()).isEqualTo(1);
    }
}
