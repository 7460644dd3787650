package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.proxy.ActiveRule;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each http fault in EmbeddedChannels with virtual time: what the client and the upstream see. */
class HttpFaultsTest {
    private static final String GET = "GET /api/items HTTP/1.1\r\nHost: shop\r\n\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    @Test
    void abortAnswersWithoutTheUpstreamOnEveryRequestOfTheConnection() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(
                "[{name: err, abort: {status: 503, body: overloaded, headers: {retry-after: '1'}}}]", 1)) {
            for (int i = 0; i < 3; i++) {
                p.send(GET);
                String out = p.clientReceived();
                assertThat(out).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                        .contains("retry-after: 1").containsIgnoringCase("content-length: 10").endsWith("overloaded");
            }
            assertThat(p.upstreams).isEmpty();
            assertThat(p.client.isOpen()).isTrue();
            assertThat(p.rule("err").matched.sum()).isEqualTo(3);
            assertThat(p.rule("err").injected.sum()).isEqualTo(3);
            assertThat(p.stats.http.answeredByFault.sum()).isEqualTo(3);
        }
    }

    @Test
    void abortDiscardsTheRequestBodyAndTheNextRequestIsServed() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(
                "[{name: err, match: {methods: [POST]}, abort: {status: 500}}]", 1)) {
            p.send("POST /orders HTTP/1.1\r\nHost: s\r\nContent-Length: 6\r\n\r\nab");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 500");
            p.send("cdef" + GET);
            assertThat(p.upstreamReceived()).startsWith("GET /api/items").doesNotContain("cdef");
            p.upstreamSends(OK);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void abortWithExpectContinueClosesInsteadOfWaitingForABodyThatMayNeverCome() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: err, abort: {status: 413}}]", 1)) {
            p.send("PUT /big HTTP/1.1\r\nHost: s\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n");
            String out = p.clientReceived();
            assertThat(out).startsWith("HTTP/1.1 413").contains("connection: close").doesNotContain("100 Continue");
            assertThat(p.client.isOpen()).isFalse();
        }
    }

    @Test
    void abortToAHeadRequestSendsNoBody() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: err, abort: {status: 503, body: down}}]", 1)) {
            p.send("HEAD /x HTTP/1.1\r\nHost: s\r\n\r\n");
            String out = p.clientReceived();
            assertThat(out).startsWith("HTTP/1.1 503").containsIgnoringCase("content-length: 4").endsWith("\r\n\r\n");
        }
    }

    @Test
    void abortWithGrpcStatus() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(
                "[{name: grpc, abort: {grpcStatus: 14, grpcMessage: unavailable}}]", 1)) {
            p.send("POST /pkg.Svc/Call HTTP/1.1\r\nHost: s\r\nContent-Length: 0\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 200 OK")
                    .contains("content-type: application/grpc", "grpc-status: 14", "grpc-message: unavailable");
        }
    }

    @Test
    void requestLatencyHoldsTheRequestBeforeItIsForwarded() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: slow, latency: {fixed: 200ms}}]", 1)) {
            p.send(GET);
            assertThat(p.upstreamReceived()).isEmpty();
            p.advance(199);
            assertThat(p.upstreamReceived()).isEmpty();
            p.advance(1);
            assertThat(p.upstreamReceived()).startsWith("GET /api/items");
            p.upstreamSends(OK);
            assertThat(p.clientReceived()).endsWith("ok");
            assertThat(p.rule("slow").injected.sum()).isEqualTo(1);
            // Per request: the next request on the same connection waits again.
            p.send(GET);
            assertThat(p.upstreamReceived()).isEmpty();
            p.advance(200);
            assertThat(p.upstreamReceived()).startsWith("GET /api/items");
        }
    }

    @Test
    void responseLatencyHoldsTheResponseHead() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(
                "[{name: slow, latency: {fixed: 150ms, phase: response}}]", 1)) {
            p.send(GET);
            assertThat(p.upstreamReceived()).startsWith("GET /api/items");
            p.upstreamSends(OK);
            assertThat(p.clientReceived()).isEmpty();
            p.advance(149);
            assertThat(p.clientReceived()).isEmpty();
            p.advance(1);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 200").endsWith("ok");
        }
    }

    @Test
    void headersEditRequestAndResponse() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("""
                [{name: hdr, headers: {
                   request: {set: {x-user: faulty}, add: {x-tag: two}, remove: [x-secret]},
                   response: {set: {cache-control: no-store}, remove: [server]}}}]""", 1)) {
            p.send("GET / HTTP/1.1\r\nHost: s\r\nx-user: alice\r\nx-tag: one\r\nx-secret: s3\r\n\r\n");
            String up = p.upstreamReceived();
            assertThat(up).contains("x-user: faulty", "x-tag: one", "x-tag: two").doesNotContain("alice", "x-secret");
            p.upstreamSends("HTTP/1.1 200 OK\r\nServer: nginx\r\nCache-Control: max-age=60\r\nContent-Length: 0\r\n\r\n");
            String out = p.clientReceived();
            assertThat(out).contains("cache-control: no-store").doesNotContainIgnoringCase("server:").doesNotContain("max-age");
        }
    }

    @Test
    void rateLimitAnswers429WithRateLimitHeadersAndRefillsOverTime() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(
                "[{name: rl, rateLimit: {requests: 2, period: 1s}}]", 1)) {
            for (int i = 0; i < 2; i++) {
                p.send(GET);
                p.upstreamReceived();
                p.upstreamSends(OK);
                String out = p.clientReceived();
                assertThat(out).startsWith("HTTP/1.1 200").contains("ratelimit-limit: 2",
                        "ratelimit-remaining: " + (1 - i));
            }
            p.send(GET);
            String limited = p.clientReceived();
            assertThat(limited).startsWith("HTTP/1.1 429 Too Many Requests")
                    .contains("ratelimit-limit: 2", "ratelimit-remaining: 0", "ratelimit-reset: 1", "retry-after: 1");
            assertThat(p.upstreamReceived()).isEmpty();
            p.advance(500); // half a period refills one token
            p.send(GET);
            assertThat(p.upstreamReceived()).startsWith("GET");
            p.upstreamSends(OK);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 200");
            assertThat(p.rule("rl").injected.sum()).isEqualTo(1);
            assertThat(p.rule("rl").matched.sum()).isEqualTo(4);
        }
    }

    @Test
    void rateLimitBucketIsSharedByConnections() {
        List<ActiveRule> rules = EmbeddedHttpProxy.activeRules("[{name: rl, rateLimit: {requests: 1, period: 1m}}]");
        try (EmbeddedHttpProxy a = new EmbeddedHttpProxy(rules, 1, Duration.ZERO);
             EmbeddedHttpProxy b = new EmbeddedHttpProxy(rules, 2, Duration.ZERO)) {
            a.send(GET);
            assertThat(a.upstreamReceived()).startsWith("GET");
            b.send(GET);
            assertThat(b.clientReceived()).startsWith("HTTP/1.1 429").contains("retry-after: 60");
        }
    }

    @Test
    void transientFailsTheFirstRequestsOfEachConnection() {
        List<ActiveRule> rules = EmbeddedHttpProxy.activeRules(
                "[{name: tr, transient: {failures: 2, status: 502}}]");
        for (int connection = 0; connection < 2; connection++) {
            try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(rules, connection, Duration.ZERO)) {
                p.send(GET);
                assertThat(p.clientReceived()).startsWith("HTTP/1.1 502");
                p.send(GET);
                assertThat(p.clientReceived()).startsWith("HTTP/1.1 502");
                p.send(GET);
                assertThat(p.upstreamReceived()).startsWith("GET");
                p.upstreamSends(OK);
                assertThat(p.clientReceived()).startsWith("HTTP/1.1 200");
            }
        }
        assertThat(rules.get(0).stats().injected.sum()).isEqualTo(4);
    }

    @Test
    void globalTransientCountsAcrossConnections() {
        List<ActiveRule> rules = EmbeddedHttpProxy.activeRules(
                "[{name: tr, transient: {failures: 2, scope: global}}]");
        try (EmbeddedHttpProxy a = new EmbeddedHttpProxy(rules, 1, Duration.ZERO);
             EmbeddedHttpProxy b = new EmbeddedHttpProxy(rules, 2, Duration.ZERO)) {
            a.send(GET);
            assertThat(a.clientReceived()).startsWith("HTTP/1.1 503");
            b.send(GET);
            assertThat(b.clientReceived()).startsWith("HTTP/1.1 503");
            a.send(GET);
            assertThat(a.upstreamReceived()).startsWith("GET");
            b.send(GET);
            assertThat(b.upstreamReceived()).startsWith("GET");
        }
    }

    @Test
    void dropClosesWithoutAnswering() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: d, match: {path: /api/**}, drop: {}}]", 1)) {
            p.send(GET);
            assertThat(p.clientReceived()).isEmpty();
            assertThat(p.client.isOpen()).isFalse();
            assertThat(p.upstreams).isEmpty();
            assertThat(p.stats.http.droppedByFault.sum()).isEqualTo(1);
        }
    }

    @Test
    void resetClosesWithoutAnswering() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: r, reset: {}}]", 1)) {
            p.send(GET);
            assertThat(p.clientReceived()).isEmpty();
            assertThat(p.client.isOpen()).isFalse();
            assertThat(p.rule("r").injected.sum()).isEqualTo(1);
        }
    }

    @Test
    void onlyMatchingRequestsOfAKeepAliveConnectionGetTheFault() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("""
                [{name: canary, match: {methods: [GET], path: "/api/*", headers: {x-canary: "true"}},
                  abort: {status: 503}}]""", 1)) {
            String[] requests = {
                "GET /api/items HTTP/1.1\r\nHost: s\r\nx-canary: true\r\n\r\n",
                "GET /api/items HTTP/1.1\r\nHost: s\r\n\r\n",
                "POST /api/items HTTP/1.1\r\nHost: s\r\nx-canary: true\r\nContent-Length: 0\r\n\r\n",
                "GET /api/items/1 HTTP/1.1\r\nHost: s\r\nx-canary: true\r\n\r\n",
                "GET /api/x HTTP/1.1\r\nHost: s\r\nX-Canary: true\r\n\r\n",
            };
            boolean[] faulted = {true, false, false, false, true};
            for (int i = 0; i < requests.length; i++) {
                p.send(requests[i]);
                if (faulted[i]) {
                    assertThat(p.clientReceived()).as("request %d", i).startsWith("HTTP/1.1 503");
                } else {
                    assertThat(p.upstreamReceived()).as("request %d", i).isNotEmpty();
                    p.upstreamSends(OK);
                    assertThat(p.clientReceived()).as("request %d", i).startsWith("HTTP/1.1 200");
                }
            }
            assertThat(p.rule("canary").matched.sum()).isEqualTo(2);
        }
    }

    @Test
    void healthPathsAreLeftAloneUnlessTheRuleSaysOtherwise() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[{name: all, abort: {status: 500}}]", 1)) {
            p.send("GET /healthz HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.upstreamReceived()).startsWith("GET /healthz");
        }
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(
                "[{name: all, match: {exclude: []}, abort: {status: 500}}]", 1)) {
            p.send("GET /healthz HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 500");
        }
    }

    @Test
    void rulesApplyInOrderAndATerminalFaultEndsTheEvaluation() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("""
                [{name: slow, latency: {fixed: 100ms}},
                 {name: err, abort: {status: 503}},
                 {name: never, abort: {status: 500}}]""", 1)) {
            p.send(GET);
            assertThat(p.clientReceived()).isEmpty();
            p.advance(100);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 503");
            assertThat(p.rule("never").matched.sum()).isZero();
        }
    }

    @Test
    void requestControlledFaultsNeedTheSecretAndNeverReachTheUpstream() {
        String hash = RequestControlledFault.sha256("correct horse battery staple");
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(
                "[{name: tagged, requestControlled: {secretSha256: " + hash + ", maxDelay: 1s}}]", 1)) {
            // Right secret: the request asks for its own 503.
            p.send("GET /a HTTP/1.1\r\nHost: s\r\nx-faultline-secret: correct horse battery staple\r\n"
                    + "x-faultline-abort: 503\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 503");
            // Right secret, a delay (capped at maxDelay); the x-faultline headers are stripped.
            p.send("GET /b HTTP/1.1\r\nHost: s\r\nx-faultline-secret: correct horse battery staple\r\n"
                    + "x-faultline-delay: 5s\r\n\r\n");
            p.advance(999);
            assertThat(p.upstreamReceived()).isEmpty();
            p.advance(1);
            assertThat(p.upstreamReceived()).startsWith("GET /b").doesNotContainIgnoringCase("x-faultline");
            p.upstreamSends(OK);
            p.clientReceived();
            // Wrong secret: nothing injected, the headers still stripped.
            p.send("GET /c HTTP/1.1\r\nHost: s\r\nx-faultline-secret: guess\r\nx-faultline-abort: 500\r\n\r\n");
            assertThat(p.upstreamReceived()).startsWith("GET /c").doesNotContainIgnoringCase("x-faultline");
            assertThat(p.rule("tagged").injected.sum()).isEqualTo(2);
        }
    }
}
