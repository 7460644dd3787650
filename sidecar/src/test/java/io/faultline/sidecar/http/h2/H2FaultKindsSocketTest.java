package io.faultline.sidecar.http.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.testing.InProcessSidecar;
import io.netty.handler.codec.http2.Http2Error;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The http fault kinds beyond abort/latency/headers on h2c streams (rewrite, reset, drop, rateLimit,
 * transient, serverOverload, slowBody), with a Netty h2 client and an h2 upstream on real sockets.
 */
class H2FaultKindsSocketTest extends H2SidecarFixture {
    @Test
    void rewriteChangesMethodAndPathTheUpstreamSeesAndKeepsTheQuery() throws Exception {
        apply("1", """
                [{name: v2, match: {path: "/v1/**"}, rewrite: {method: PUT, pathRegex: "^/v1/(.*)", replacement: "/v2/$1"}}]""");
        H2TestClient c = connect();
        byte[] body = "payload".getBytes(StandardCharsets.UTF_8);
        H2TestClient.Response r = await(c.send(H2TestClient.request("POST", "/v1/items?x=1"), body, null));
        assertThat(r.status()).isEqualTo("200");
        assertThat(r.body()).isEqualTo(body);
        assertThat(upstream.receivedOn("/v1/items?x=1")).isEmpty();
        H2TestUpstream.Received seen = upstream.receivedOn("/v2/items?x=1").get(0);
        assertThat(seen.headers().method()).hasToString("PUT");
        assertThat(seen.headers().authority()).hasToString("svc.test:80");
        assertThat(seen.body()).isEqualTo(body);

        assertThat(await(c.get("/other")).status()).isEqualTo("200");
        assertThat(upstream.receivedOn("/other").get(0).headers().method()).hasToString("GET");
        assertThat(ruleStats("v2").injected.sum()).isEqualTo(1);
        assertThat(stats().http.h2UnsupportedFaults.sum()).isZero();
    }

    @Test
    void resetSendsRstStreamInternalErrorForThatStreamOnlyAndTheConnectionGoesOn() throws Exception {
        apply("1", "[{name: rst, match: {path: /rst}, reset: {}}]");
        H2TestClient c = connect();
        H2TestClient.Response reset = await(c.send(H2TestClient.request("POST", "/rst"), new byte[1000], null));
        assertThat(reset.resetCode()).isEqualTo(Http2Error.INTERNAL_ERROR.code());
        assertThat(reset.headers()).isNull();
        assertThat(await(c.get("/fine")).status()).isEqualTo("200");
        assertThat(upstream.receivedOn("/rst")).isEmpty();
        assertThat(c.goAways).isEmpty();
        assertThat(stats().http.droppedByFault.sum()).isEqualTo(1);
        assertThat(ruleStats("rst").injected.sum()).isEqualTo(1);
        assertThat(stats().connectionsTotal.sum()).isEqualTo(1);
    }

    @Test
    void dropSendsGoAwayAndClosesTheConnectionWithEveryStreamStillOnIt() throws Exception {
        apply("1", "[{name: gone, match: {path: /drop}, drop: {}}]");
        H2TestClient c = connect();
        assertThat(await(c.get("/before")).status()).isEqualTo("200");
        H2TestClient.OpenStream inFlight = c.open(H2TestClient.request("POST", "/hold"));
        InProcessSidecar.eventually(5000, () -> assertThat(stats().http.forwarded.sum()).isEqualTo(2));
        CompletableFuture<H2TestClient.Response> dropped = c.get("/drop");
        assertThat(c.connection.closeFuture().await(10, TimeUnit.SECONDS)).as("closed by the proxy").isTrue();
        assertThat(c.goAways).containsExactly(Http2Error.NO_ERROR.code());
        assertThatThrownBy(() -> dropped.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThatThrownBy(() -> inFlight.response().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(upstream.receivedOn("/drop")).isEmpty();
        assertThat(stats().http.droppedByFault.sum()).isEqualTo(1);
        InProcessSidecar.eventually(5000, () -> assertThat(stats().connectionsActive.get()).isZero());
    }

    @Test
    void rateLimitAnswers429OnH2AndResourceExhaustedTrailersOnlyOnGrpc() throws Exception {
        apply("1", """
                [{name: limited, match: {path: "/limited/**"}, rateLimit: {requests: 1, period: 1h}},
                 {name: grpc-limited, match: {path: "/faultline.Echo/**"}, rateLimit: {requests: 1, period: 1h}}]""");
        H2TestClient c = connect();
        H2TestClient.Response first = await(c.get("/limited/a"));
        assertThat(first.status()).isEqualTo("200");
        assertThat(first.header("ratelimit-limit")).isEqualTo("1");
        assertThat(first.header("ratelimit-remaining")).isEqualTo("0");
        H2TestClient.Response limited = await(c.get("/limited/b"));
        assertThat(limited.status()).isEqualTo("429");
        assertThat(limited.header("retry-after")).isNotNull();
        assertThat(limited.text()).isEqualTo("rate limit exceeded\n");
        assertThat(upstream.receivedOn("/limited/b")).isEmpty();

        byte[] message = H2TestClient.grpcMessage("hi".getBytes(StandardCharsets.UTF_8));
        H2TestClient.Response ok = await(c.send(H2TestClient.grpc("/faultline.Echo/Say"), message, null));
        assertThat(ok.trailer("grpc-status")).isEqualTo("0");
        H2TestClient.Response exhausted = await(c.send(H2TestClient.grpc("/faultline.Echo/Say"), message, null));
        assertThat(exhausted.status()).isEqualTo("200");
        assertThat(exhausted.header("content-type")).isEqualTo("application/grpc");
        assertThat(exhausted.header("grpc-status")).isEqualTo("8"); // RESOURCE_EXHAUSTED
        assertThat(exhausted.header("grpc-message")).isEqualTo("rate limit exceeded");
        assertThat(exhausted.header("retry-after")).isNotNull();
        assertThat(exhausted.header("ratelimit-limit")).isEqualTo("1");
        assertThat(exhausted.body()).isEmpty();
        assertThat(exhausted.trailers()).as("trailers-only").isNull();
        assertThat(upstream.receivedOn("/faultline.Echo/Say")).hasSize(1);
        assertThat(stats().http.answeredByFault.sum()).isEqualTo(2);
    }

    @Test
    void transientFailsTheFirstGrpcCallsWithUnavailableThenLetsThemThrough() throws Exception {
        apply("1", "[{name: flaky, match: {path: \"/faultline.Echo/**\"}, transient: {failures: 2, status: 503}}]");
        H2TestClient c = connect();
        byte[] message = H2TestClient.grpcMessage("hi".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 2; i++) {
            H2TestClient.Response failed = await(c.send(H2TestClient.grpc("/faultline.Echo/Say"), message, null));
            assertThat(failed.status()).isEqualTo("200");
            assertThat(failed.header("grpc-status")).as("call %d", i).isEqualTo("14"); // UNAVAILABLE
            assertThat(failed.trailers()).isNull();
        }
        H2TestClient.Response ok = await(c.send(H2TestClient.grpc("/faultline.Echo/Say"), message, null));
        assertThat(ok.body()).isEqualTo(message);
        assertThat(ok.trailer("grpc-status")).isEqualTo("0");
        assertThat(upstream.receivedOn("/faultline.Echo/Say")).hasSize(1);
        assertThat(ruleStats("flaky").injected.sum()).isEqualTo(2);
    }

    @Test
    void serverOverloadAnswersItsStatusOnH2AndUnavailableOnGrpc() throws Exception {
        // plateau, capacity 100 req/s: one request in the window is load 1, inside [0, 100).
        apply("1", "[{name: hot, serverOverload: {capacity: 100, function: plateau, triggers: [{status: 503}]}}]");
        H2TestClient c = connect();
        H2TestClient.Response plain = await(c.get("/x"));
        assertThat(plain.status()).isEqualTo("503");
        assertThat(plain.text()).startsWith("server overloaded");
        H2TestClient.Response grpc = await(c.send(H2TestClient.grpc("/faultline.Echo/Say"),
                H2TestClient.grpcMessage(new byte[3]), null));
        assertThat(grpc.status()).isEqualTo("200");
        assertThat(grpc.header("grpc-status")).isEqualTo("14");
        assertThat(grpc.header("grpc-message")).startsWith("server overloaded");
        assertThat(upstream.received).isEmpty();
    }

    @Test
    void abortWithAPlainStatusOnAGrpcCallStaysAnHttpAnswer() throws Exception {
        apply("1", "[{name: plain, abort: {status: 503, body: down}}]");
        H2TestClient c = connect();
        H2TestClient.Response r = await(c.send(H2TestClient.grpc("/faultline.Echo/Say"),
                H2TestClient.grpcMessage(new byte[3]), null));
        assertThat(r.status()).isEqualTo("503");
        assertThat(r.header("grpc-status")).isNull();
        assertThat(r.text()).isEqualTo("down");
    }

    @Test
    void slowBodyPacesTheResponseDataWhileOtherStreamsGoAtFullSpeed() throws Exception {
        apply("1", "[{name: thin, match: {path: /slow}, slowBody: {rate: 32KiB}}]");
        H2TestClient c = connect();
        byte[] body = new byte[64 * 1024];
        new Random(3).nextBytes(body);
        long start = System.nanoTime();
        CompletableFuture<H2TestClient.Response> slow = c.send(H2TestClient.request("POST", "/slow"), body, null);
        H2TestClient.Response fast = await(c.send(H2TestClient.request("POST", "/fast"), body, null));
        assertThat(fast.body()).isEqualTo(body);
        assertThat(slow).as("the paced stream is still going when the other one is done").isNotDone();
        H2TestClient.Response paced = await(slow);
        assertThat(paced.body()).isEqualTo(body);
        assertThat(paced.trailer("x-trailer")).isEqualTo("done");
        // 64 KiB at 32 KiB/s: about 2 s after the upstream answered (the first 20 ms slice goes at once).
        long answered = upstream.receivedOn("/slow").get(0).nanos();
        assertThat(TimeUnit.NANOSECONDS.toMillis(paced.nanos() - answered)).isGreaterThanOrEqualTo(1500);
        assertThat(TimeUnit.NANOSECONDS.toMillis(paced.nanos() - start)).isGreaterThanOrEqualTo(1500);
        assertThat(ruleStats("thin").injected.sum()).isEqualTo(1);
    }

    @Test
    void slowBodyUpstreamPacesTheRequestDataTowardsTheUpstream() throws Exception {
        apply("1", "[{name: thin-up, match: {path: /upload}, stream: upstream, slowBody: {rate: 32KiB}}]");
        H2TestClient c = connect();
        byte[] body = new byte[64 * 1024];
        new Random(4).nextBytes(body);
        long start = System.nanoTime();
        H2TestClient.Response r = await(c.send(H2TestClient.request("POST", "/upload"), body, null));
        assertThat(r.body()).isEqualTo(body);
        H2TestUpstream.Received got = upstream.receivedOn("/upload").get(0);
        assertThat(got.body()).isEqualTo(body);
        assertThat(TimeUnit.NANOSECONDS.toMillis(got.nanos() - start)).isGreaterThanOrEqualTo(1500);
    }

    @Test
    void slowBodyHoldsTheUpstreamBackThroughFlowControlAndARemovedRuleLetsTheRestGoAtOnce() throws Exception {
        apply("1", "[{name: thin, match: {path: /download}, slowBody: {rate: 64KiB}}]");
        H2TestClient c = connect();
        long start = System.nanoTime();
        CompletableFuture<H2TestClient.Response> download = c.get("/download");
        InProcessSidecar.eventually(5000, () -> assertThat(upstream.downloadBytesWritten.get()).isPositive());
        Thread.sleep(1000);
        long written = upstream.downloadBytesWritten.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        // What left the upstream: what was paced out (64 KiB/s) plus at most the windows in between.
        assertThat(written).isLessThanOrEqualTo((long) ((seconds + 3) * 64 * 1024))
                .isLessThan(H2TestUpstream.DOWNLOAD_SIZE / 4);
        assertThat(download).isNotDone();
        apply("2", "[]");
        H2TestClient.Response r = download.get(30, TimeUnit.SECONDS);
        assertThat(r.body()).hasSize(H2TestUpstream.DOWNLOAD_SIZE);
        for (int i = 0; i < r.body().length; i += 4099) {
            assertThat(r.body()[i]).as("byte %d", i).isEqualTo((byte) (i % 251));
        }
    }

    @Test
    void requestControlledFaultsWorkPerStreamAndTheirHeadersNeverReachTheUpstream() throws Exception {
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("s3cret".getBytes(StandardCharsets.UTF_8)));
        apply("1", "[{name: tagged, requestControlled: {secretSha256: \"%s\"}}]".formatted(sha));
        H2TestClient c = connect();
        H2TestClient.Response aborted = await(c.send(H2TestClient.request("GET", "/a")
                .set("x-faultline-secret", "s3cret").set("x-faultline-abort", "503"), null, null));
        assertThat(aborted.status()).isEqualTo("503");
        H2TestClient.Response grpc = await(c.send(H2TestClient.grpc("/faultline.Echo/Say")
                .set("x-faultline-secret", "s3cret").set("x-faultline-abort", "503"), H2TestClient.grpcMessage(new byte[1]), null));
        assertThat(grpc.header("grpc-status")).isEqualTo("14");
        H2TestClient.Response wrongSecret = await(c.send(H2TestClient.request("GET", "/b")
                .set("x-faultline-secret", "guess").set("x-faultline-abort", "503").set("x-keep", "1"), null, null));
        assertThat(wrongSecret.status()).isEqualTo("200");
        H2TestUpstream.Received seen = upstream.receivedOn("/b").get(0);
        assertThat(seen.headers().get("x-keep")).hasToString("1");
        assertThat(seen.headers().get("x-faultline-secret")).isNull();
        assertThat(seen.headers().get("x-faultline-abort")).isNull();
        assertThat(upstream.receivedOn("/a")).isEmpty();
        assertThat(ruleStats("tagged").injected.sum()).isEqualTo(2);
    }
}
