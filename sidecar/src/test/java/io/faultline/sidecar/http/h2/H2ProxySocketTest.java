package io.faultline.sidecar.http.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.testing.InProcessSidecar;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** h2c (prior knowledge) and gRPC-shaped traffic through an http listener, on real sockets. */
class H2ProxySocketTest extends H2SidecarFixture {
    private static final long DELAY_MS = 1500;
    @Test
    void concurrentStreamsPassWithBodiesAndTrailersBothWays() throws Exception {
        apply("1", "[]");
        H2TestClient c = connect();
        byte[] big = new byte[300 * 1024]; // several times the 64 KiB stream window: flow control has to work
        new Random(5).nextBytes(big);
        List<CompletableFuture<H2TestClient.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Http2Headers trailers = new io.netty.handler.codec.http2.DefaultHttp2Headers().set("x-req-trailer", "t" + i);
            calls.add(c.send(H2TestClient.request("POST", "/echo/" + i).set("x-client", "c" + i), big, trailers));
        }
        for (int i = 0; i < calls.size(); i++) {
            H2TestClient.Response r = await(calls.get(i));
            assertThat(r.status()).isEqualTo("200");
            assertThat(r.header("x-upstream")).isEqualTo("yes");
            assertThat(r.body()).isEqualTo(big);
            assertThat(r.trailer("x-trailer")).isEqualTo("done");
            assertThat(r.trailer("x-got-trailer")).isEqualTo("t" + i);
        }
        assertThat(upstream.received).hasSize(6);
        H2TestUpstream.Received first = upstream.receivedOn("/echo/0").get(0);
        assertThat(first.headers().get("x-client")).hasToString("c0");
        assertThat(first.headers().authority()).hasToString("svc.test:80");
        assertThat(await(c.get("/after")).status()).isEqualTo("200");
        assertThat(stats().http.h2Connections.sum()).isEqualTo(1);
        assertThat(stats().http.requests.sum()).isEqualTo(7);
        assertThat(stats().http.forwarded.sum()).isEqualTo(7);
        assertThat(stats().connectionsTotal.sum()).isEqualTo(1);
    }

    @Test
    void grpcCallsMatchedByAnAbortRuleGetTrailersOnlyGrpcStatusWithoutReachingTheUpstream() throws Exception {
        apply("1", """
                [{name: grpc-down, match: {path: "/faultline.Echo/Fail*", headers: {content-type: application/grpc}},
                  abort: {grpcStatus: 14, grpcMessage: "injected: échec"}}]""");
        H2TestClient c = connect();
        byte[] message = H2TestClient.grpcMessage("hello".getBytes(StandardCharsets.UTF_8));
        H2TestClient.Response failed = await(c.send(H2TestClient.grpc("/faultline.Echo/FailMe"), message, null));
        assertThat(failed.resetCode()).isEqualTo(-1);
        assertThat(failed.status()).isEqualTo("200");
        assertThat(failed.header("content-type")).isEqualTo("application/grpc");
        assertThat(failed.header("grpc-status")).isEqualTo("14");
        // gRPC percent-encodes grpc-message (UTF-8 bytes outside printable ASCII).
        assertThat(failed.header("grpc-message")).isEqualTo("injected: %C3%A9chec");
        assertThat(failed.body()).isEmpty();
        assertThat(failed.trailers()).isNull(); // trailers-only: the one HEADERS frame ended the stream
        assertThat(upstream.receivedOn("/faultline.Echo/FailMe")).isEmpty();

        H2TestClient.Response ok = await(c.send(H2TestClient.grpc("/faultline.Echo/Say"), message, null));
        assertThat(ok.header("content-type")).isEqualTo("application/grpc");
        assertThat(ok.body()).isEqualTo(message);
        assertThat(ok.trailer("grpc-status")).isEqualTo("0");
        assertThat(upstream.receivedOn("/faultline.Echo/Say")).hasSize(1);

        assertThat(ruleStats("grpc-down").matched.sum()).isEqualTo(1);
        assertThat(ruleStats("grpc-down").injected.sum()).isEqualTo(1);
        assertThat(stats().http.answeredByFault.sum()).isEqualTo(1);
    }

    @Test
    void requestLatencyHoldsOneStreamWhileAnUnmatchedStreamOnTheSameConnectionGoesOn() throws Exception {
        apply("1", "[{name: slow, match: {path: /slow}, latency: {fixed: %dms}}]".formatted(DELAY_MS));
        H2TestClient c = connect();
        assertThat(await(c.get("/warm-up")).status()).isEqualTo("200");
        long start = System.nanoTime();
        CompletableFuture<H2TestClient.Response> slow = c.get("/slow");
        H2TestClient.Response fast = await(c.get("/fast"));
        assertThat(fast.status()).isEqualTo("200");
        assertThat(slow).as("the delayed stream is still held when the other one is done").isNotDone();
        H2TestClient.Response delayed = await(slow);
        assertThat(delayed.status()).isEqualTo("200");
        assertThat(TimeUnit.NANOSECONDS.toMillis(delayed.nanos() - start)).isGreaterThanOrEqualTo(DELAY_MS);
        // Held before forwarding: the upstream saw it only after the delay.
        long reachedUpstream = upstream.receivedOn("/slow").get(0).nanos();
        assertThat(TimeUnit.NANOSECONDS.toMillis(reachedUpstream - start)).isGreaterThanOrEqualTo(DELAY_MS);
        assertThat(ruleStats("slow").injected.sum()).isEqualTo(1);
    }

    @Test
    void responseLatencyHoldsTheResponseAfterTheUpstreamAnswered() throws Exception {
        apply("1", "[{name: slow-answer, match: {path: /slow}, latency: {fixed: %dms, phase: response}}]"
                .formatted(DELAY_MS));
        H2TestClient c = connect();
        byte[] body = new byte[100 * 1024];
        new Random(9).nextBytes(body);
        long start = System.nanoTime();
        CompletableFuture<H2TestClient.Response> slow = c.send(H2TestClient.request("POST", "/slow"), body, null);
        H2TestClient.Response fast = await(c.get("/fast"));
        assertThat(fast.status()).isEqualTo("200");
        assertThat(slow).isNotDone();
        H2TestClient.Response delayed = await(slow);
        assertThat(delayed.body()).isEqualTo(body);
        assertThat(delayed.trailer("x-trailer")).isEqualTo("done");
        long reachedUpstream = upstream.receivedOn("/slow").get(0).nanos();
        assertThat(TimeUnit.NANOSECONDS.toMillis(delayed.nanos() - reachedUpstream)).isGreaterThanOrEqualTo(DELAY_MS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(delayed.nanos() - start)).isGreaterThanOrEqualTo(DELAY_MS);
    }

    @Test
    void headerRulesEditWhatTheUpstreamAndTheClientSee() throws Exception {
        apply("1", """
                [{name: edit, match: {headers: {x-tenant: blue}},
                  headers: {request: {set: {x-added: "1"}, remove: [x-secret]}, response: {set: {x-edited: "yes"}, remove: [x-upstream]}}}]""");
        H2TestClient c = connect();
        H2TestClient.Response r = await(c.send(H2TestClient.request("GET", "/h").set("x-tenant", "blue")
                .set("x-secret", "s3"), null, null));
        assertThat(r.status()).isEqualTo("200");
        assertThat(r.header("x-edited")).isEqualTo("yes");
        assertThat(r.header("x-upstream")).isNull();
        Http2Headers seen = upstream.receivedOn("/h").get(0).headers();
        assertThat(seen.get("x-added")).hasToString("1");
        assertThat(seen.get("x-secret")).isNull();
        assertThat(seen.get("x-tenant")).hasToString("blue");
        assertThat(seen.get("host")).as("Host is derived for matching only").isNull();
        assertThat(seen.authority()).hasToString("svc.test:80");

        H2TestClient.Response untouched = await(c.send(H2TestClient.request("GET", "/h2").set("x-secret", "s3"), null, null));
        assertThat(untouched.header("x-upstream")).isEqualTo("yes");
        assertThat(upstream.receivedOn("/h2").get(0).headers().get("x-secret")).hasToString("s3");
    }

    @Test
    void aConfigChangeAppliesToTheNextStreamOfTheOpenConnection() throws Exception {
        apply("1", "[]");
        H2TestClient c = connect();
        assertThat(await(c.get("/api")).status()).isEqualTo("200");
        apply("2", "[{name: down, match: {path: /api}, abort: {status: 503, body: injected}}]");
        H2TestClient.Response aborted = await(c.get("/api"));
        assertThat(aborted.status()).isEqualTo("503");
        assertThat(aborted.text()).isEqualTo("injected");
        assertThat(aborted.header("content-length")).isEqualTo("8");
        apply("3", "[]");
        assertThat(await(c.get("/api")).status()).isEqualTo("200");
        assertThat(upstream.receivedOn("/api")).hasSize(2);
        assertThat(stats().connectionsTotal.sum()).isEqualTo(1);
        assertThat(stats().http.h2Connections.sum()).isEqualTo(1);
    }

    @Test
    void faultKindsThatDoNotActOnH2PassTheStreamAndAreCounted() throws Exception {
        apply("1", "[{name: rewrite, match: {path: /b}, body: {replace: \"changed\"}}]");
        H2TestClient c = connect();
        H2TestClient.Response r = await(c.send(H2TestClient.request("POST", "/b"), "original".getBytes(StandardCharsets.UTF_8), null));
        assertThat(r.text()).isEqualTo("original");
        assertThat(ruleStats("rewrite").matched.sum()).isEqualTo(1);
        assertThat(ruleStats("rewrite").injected.sum()).isZero();
        assertThat(stats().http.h2UnsupportedFaults.sum()).isEqualTo(1);
    }

    @Test
    void http11ClientsOnTheSameListenerAreStillServed() throws Exception {
        apply("1", "[{name: down, match: {path: /down}, abort: {status: 503}}]");
        H2TestClient c = connect();
        assertThat(await(c.get("/x")).status()).isEqualTo("200");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + sidecar.port("web");
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base + "/plain")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("http1 /plain");
        HttpResponse<String> down = http.send(HttpRequest.newBuilder(URI.create(base + "/down")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(await(c.get("/down")).status()).isEqualTo("503");
        assertThat(upstream.http1Requests.get()).isEqualTo(1);
        assertThat(stats().http.h2Connections.sum()).isEqualTo(1);
        assertThat(ruleStats("down").injected.sum()).isEqualTo(2);
    }

    @Test
    void anUnreachableUpstreamGives502PerStream() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        sidecar.apply("""
                version: "1"
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:%d"}
                rules: []
                """.formatted(port));
        H2TestClient c = connect();
        assertThat(await(c.get("/a")).status()).isEqualTo("502");
        assertThat(await(c.get("/b")).status()).isEqualTo("502");
        assertThat(stats().http.badGateway.sum()).isEqualTo(2);
    }

    @Test
    void resetsPassBothWaysAndALostUpstreamConnectionGives502ThenANewOne() throws Exception {
        apply("1", "[]");
        H2TestClient c = connect();
        H2TestClient.Response refused = await(c.get("/refuse"));
        assertThat(refused.resetCode()).isEqualTo(Http2Error.REFUSED_STREAM.code());

        H2TestClient.OpenStream held = c.open(H2TestClient.request("POST", "/hold"));
        InProcessSidecar.eventually(5000, () -> assertThat(stats().http.forwarded.sum()).isEqualTo(2));
        held.channel().writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
        InProcessSidecar.eventually(5000, () -> assertThat(upstream.resets)
                .containsExactly("/hold " + Http2Error.CANCEL.code()));

        assertThat(await(c.get("/kill")).status()).isEqualTo("502");
        assertThat(await(c.get("/after")).status()).isEqualTo("200");
        assertThat(stats().http.badGateway.sum()).isEqualTo(1);
        assertThat(stats().connectionsTotal.sum()).isEqualTo(1);
    }

    @Test
    void aClientThatDoesNotReadHoldsTheUpstreamBackThroughFlowControl() throws Exception {
        apply("1", "[]");
        H2TestClient c = connect();
        H2TestClient.OpenStream paused = c.getWithoutReading("/download");
        // Let whatever can flow, flow: the client's window (64 KiB) plus the proxy's window towards
        // the upstream (64 KiB) is all that may leave the upstream while the client reads nothing.
        InProcessSidecar.eventually(5000, () -> assertThat(upstream.downloadBytesWritten.get()).isPositive());
        Thread.sleep(1000);
        long written = upstream.downloadBytesWritten.get();
        assertThat(written).isLessThanOrEqualTo(3 * 64 * 1024).isLessThan(H2TestUpstream.DOWNLOAD_SIZE);
        paused.channel().eventLoop().execute(() -> paused.channel().config().setAutoRead(true));
        H2TestClient.Response r = paused.response().get(30, TimeUnit.SECONDS);
        assertThat(r.body()).hasSize(H2TestUpstream.DOWNLOAD_SIZE);
        for (int i = 0; i < r.body().length; i += 4099) {
            assertThat(r.body()[i]).as("byte %d", i).isEqualTo((byte) (i % 251));
        }
        // Meanwhile the connection serves other streams.
        assertThat(await(c.get("/other")).status()).isEqualTo("200");
    }

    @Test
    void anUpstreamThatDoesNotAnswerInTimeGives504AndItsStreamIsCancelled() throws Exception {
        sidecar.apply("""
                version: "1"
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:%d", responseTimeout: 300ms}
                rules: []
                """.formatted(upstream.port()));
        H2TestClient c = connect();
        H2TestClient.Response r = await(c.get("/hold"));
        assertThat(r.status()).isEqualTo("504");
        assertThat(stats().http.gatewayTimeout.sum()).isEqualTo(1);
        InProcessSidecar.eventually(5000, () -> assertThat(upstream.resets)
                .containsExactly("/hold " + Http2Error.CANCEL.code()));
        assertThat(await(c.get("/fine")).status()).isEqualTo("200");
    }

    @Test
    void aClientThatHalfClosesGetsItsPendingResponseThenTheConnectionCloses() throws Exception {
        apply("1", "[{name: late, match: {path: /late}, latency: {fixed: 300ms}}]");
        H2TestClient c = connect();
        CompletableFuture<H2TestClient.Response> late = c.get("/late");
        InProcessSidecar.eventually(5000, () -> assertThat(stats().http.requests.sum()).isEqualTo(1));
        ((io.netty.channel.socket.SocketChannel) c.connection).shutdownOutput().sync();
        assertThat(await(late).status()).isEqualTo("200");
        assertThat(c.connection.closeFuture().await(5, TimeUnit.SECONDS)).as("closed by the proxy").isTrue();
        InProcessSidecar.eventually(5000, () -> assertThat(stats().connectionsActive.get()).isZero());
    }
}
