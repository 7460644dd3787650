package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 proxy state machine in EmbeddedChannels: framing, keep-alive, pipelining, errors. */
class HttpProxyConnectionTest {
    private static final String OK_HELLO = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

    @Test
    void forwardsARequestAndItsResponseAndKeepsTheConnection() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /a?x=1 HTTP/1.1\r\nHost: svc\r\nConnection: keep-alive, x-hop\r\nx-hop: 1\r\nx-end: 2\r\n\r\n");
            String up = p.upstreamReceived();
            assertThat(up).startsWith("GET /a?x=1 HTTP/1.1\r\n").containsIgnoringCase("host: svc").contains("x-end: 2")
                    .doesNotContainIgnoringCase("x-hop").doesNotContainIgnoringCase("connection");
            p.upstreamSends(OK_HELLO);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhello");
            assertThat(p.client.isOpen()).isTrue();

            p.send("GET /b HTTP/1.1\r\nHost: svc\r\n\r\n");
            assertThat(p.upstreamReceived()).startsWith("GET /b HTTP/1.1");
            assertThat(p.upstreams).hasSize(1); // same upstream connection
            assertThat(p.stats.http.forwarded.sum()).isEqualTo(2);
        }
    }

    @Test
    void pipelinedRequestsGoUpstreamOneAtATimeAndAnswersKeepTheirOrder() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /1 HTTP/1.1\r\nHost: s\r\n\r\nGET /2 HTTP/1.1\r\nHost: s\r\n\r\nGET /3 HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.upstreamReceived()).contains("GET /1 ").doesNotContain("GET /2");
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr1");
            assertThat(p.upstreamReceived()).contains("GET /2 ").doesNotContain("GET /3");
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr2");
            assertThat(p.upstreamReceived()).contains("GET /3 ");
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr3");
            String out = p.clientReceived();
            assertThat(out.indexOf("r1")).isLessThan(out.indexOf("r2"));
            assertThat(out.indexOf("r2")).isLessThan(out.indexOf("r3"));
        }
    }

    @Test
    void whileAResponseIsPendingTheClientIsStillReadButNeverMoreThanOneBatchAhead() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            ReadRequests reads = new ReadRequests();
            p.client.config().setAutoRead(false); // as on the listener: reads are the proxy's own requests
            p.client.pipeline().addFirst(reads);
            p.send("GET /1 HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.upstreamReceived()).contains("GET /1 ");
            // Complete request, response pending: the read interest stays (no drop and re-set per request).
            assertThat(reads.take()).isPositive();
            p.send("GET /2 HTTP/1.1\r\nHost: s\r\n\r\n");
            // One request is queued ahead: nothing more is read until it is taken, and it waits for /1's answer.
            assertThat(reads.take()).isZero();
            assertThat(p.upstreamReceived()).isEmpty();
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr1");
            assertThat(p.upstreamReceived()).contains("GET /2 ");
            assertThat(reads.take()).isPositive();
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr2");
            String out = p.clientReceived();
            assertThat(out.indexOf("r1")).isPositive().isLessThan(out.indexOf("r2"));
        }
    }

    @Test
    void theLastRequestOfAConnectionIsNotReadPast() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            ReadRequests reads = new ReadRequests();
            p.client.config().setAutoRead(false); // as on the listener: reads are the proxy's own requests
            p.client.pipeline().addFirst(reads);
            p.send("GET /ws HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n");
            assertThat(p.upstreamReceived()).contains("GET /ws ");
            assertThat(reads.take()).isZero(); // the connection's last request: nothing to read ahead for
        }
    }

    @Test
    void theResponseTimeoutCountsFromEachRequestOnAKeptAliveConnection() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(EmbeddedHttpProxy.activeRules("[]"), 1, Duration.ofSeconds(2))) {
            p.send("GET /1 HTTP/1.1\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.advance(1500);
            p.upstreamSends(OK_HELLO);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 200");
            p.send("GET /2 HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.upstreamReceived()).contains("GET /2 ");
            p.advance(1999); // 3.5 s since /1 was sent, 2 s minus 1 ms since /2
            assertThat(p.clientReceived()).isEmpty();
            p.advance(1);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 504");
            assertThat(p.stats.http.gatewayTimeout.sum()).isEqualTo(1);
        }
    }

    /** Counts the read requests (read interest set) that reach the client channel. */
    private static final class ReadRequests extends io.netty.channel.ChannelOutboundHandlerAdapter {
        private int count;

        @Override
        public void read(io.netty.channel.ChannelHandlerContext ctx) {
            count++;
            ctx.read();
        }

        int take() {
            int n = count;
            count = 0;
            return n;
        }
    }

    @Test
    void chunkedRequestBodyIsStreamedBeforeItsEndArrives() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("POST /up HTTP/1.1\r\nHost: s\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
            String up = p.upstreamReceived();
            assertThat(up).containsIgnoringCase("transfer-encoding: chunked").contains("first");
            p.send("6\r\nsecond\r\n0\r\n\r\n");
            assertThat(p.upstreamReceived()).contains("second").endsWith("0\r\n\r\n");
            p.upstreamSends("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 201 Created");
        }
    }

    @Test
    void chunkedResponseIsStreamedChunkByChunk() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /stream HTTP/1.1\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n");
            assertThat(p.clientReceived()).containsIgnoringCase("transfer-encoding: chunked").contains("one");
            p.upstreamSends("3\r\ntwo\r\n0\r\n\r\n");
            assertThat(p.clientReceived()).contains("two").endsWith("0\r\n\r\n");
            assertThat(p.client.isOpen()).isTrue();
        }
    }

    @Test
    void closeDelimitedResponseIsRechunkedForHttp11Clients() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /old HTTP/1.1\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\n\r\nbody until close");
            p.upstream().close();
            String out = p.clientReceived();
            assertThat(out).containsIgnoringCase("transfer-encoding: chunked").contains("body until close").endsWith("0\r\n\r\n");
            assertThat(p.client.isOpen()).isTrue();
            // The next request opens a new upstream connection.
            p.send("GET /next HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.upstreams).hasSize(2);
            assertThat(p.upstreamReceived()).startsWith("GET /next");
        }
    }

    @Test
    void headResponseHasNoBodyAndTheConnectionGoesOn() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("HEAD /h HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.upstreamReceived()).startsWith("HEAD /h");
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
            assertThat(p.clientReceived()).containsIgnoringCase("content-length: 1000").endsWith("\r\n\r\n");
            p.send("GET /after HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.upstreamReceived()).startsWith("GET /after");
            p.upstreamSends(OK_HELLO);
            assertThat(p.clientReceived()).endsWith("hello");
        }
    }

    @Test
    void aChunkedAnswerToHeadGetsNoBodyNorEndChunk() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("HEAD /h HTTP/1.1\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            String out = p.clientReceived();
            // (Netty's response decoder drops "chunked" from a HEAD answer's head: no body framing is sent.)
            assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n").doesNotContain("0\r\n\r\n");
            p.send("GET /after HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.upstreamReceived()).startsWith("GET /after");
            p.upstreamSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertThat(p.clientReceived()).contains("hello").endsWith("0\r\n\r\n");
        }
    }

    @Test
    void informationalAnswersOfTheUpstreamAreRelayedAheadOfTheFinalOne() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("HEAD /h HTTP/1.1\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nKeep-Alive: timeout=5\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n");
            String out = p.clientReceived();
            assertThat(out).startsWith("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n")
                    .doesNotContainIgnoringCase("keep-alive").endsWith("\r\n\r\n");
            p.send("GET /g HTTP/1.1\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 103 Early Hints\r\nLink: </b.js>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 103 Early Hints\r\nLink: </b.js>\r\n\r\nHTTP/1.1 200 OK")
                    .endsWith("hello");
            assertThat(p.upstreams).hasSize(1);
            assertThat(p.client.isOpen()).isTrue();
        }
    }

    @Test
    void informationalAnswersAreNotSentToHttp10Clients() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /g HTTP/1.0\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 103 Early Hints\r\nLink: </b.js>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 200 OK").doesNotContain("103").endsWith("hello");
        }
    }

    @Test
    void anUpstreamSwitchingProtocolsGets502() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /ws HTTP/1.1\r\nHost: s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            assertThat(p.upstreamReceived()).doesNotContainIgnoringCase("upgrade");
            p.upstreamSends("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 502");
        }
    }

    @Test
    void expectContinueGoesToTheUpstreamAndItsOwn100ReachesTheClient() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("PUT /doc HTTP/1.1\r\nHost: s\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            assertThat(p.clientReceived()).isEmpty();
            assertThat(p.upstreamReceived()).startsWith("PUT /doc").containsIgnoringCase("expect: 100-continue");
            p.upstreamSends("HTTP/1.1 100 Continue\r\n\r\n");
            assertThat(p.clientReceived()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            p.send("data");
            assertThat(p.upstreamReceived()).isEqualTo("data");
            p.upstreamSends("HTTP/1.1 204 No Content\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 204");
            assertThat(p.client.isOpen()).isTrue();
        }
    }

    @Test
    void anUpstreamRefusingAnExpectedBodyAnswersAndTheConnectionCloses() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("PUT /doc HTTP/1.1\r\nHost: s\r\nContent-Length: 400000\r\nExpect: 100-continue\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 413").doesNotContain("100 Continue");
            assertThat(p.client.isOpen()).isFalse(); // the body it announced would otherwise be read as a request
        }
    }

    @Test
    void connectionCloseFromTheClientClosesAfterTheResponse() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET / HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends(OK_HELLO);
            assertThat(p.clientReceived()).contains("connection: close").endsWith("hello");
            assertThat(p.client.isOpen()).isFalse();
        }
    }

    @Test
    void http10ClientsKeepAliveOnlyWhenTheyAsk() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(p.upstreamReceived()).startsWith("GET / HTTP/1.1").containsIgnoringCase("host:");
            p.upstreamSends(OK_HELLO);
            assertThat(p.clientReceived()).contains("connection: keep-alive").endsWith("hello");
            assertThat(p.client.isOpen()).isTrue();
            p.send("GET / HTTP/1.0\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends(OK_HELLO);
            assertThat(p.clientReceived()).contains("connection: close");
            assertThat(p.client.isOpen()).isFalse();
        }
    }

    @Test
    void malformedRequestLineGets400AndCloseAndNothingIsForwarded() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /ok HTTP/1.1\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends(OK_HELLO);
            p.clientReceived();
            p.send("G@T /x HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 400 Bad Request").contains("connection: close");
            assertThat(p.client.isOpen()).isFalse();
            assertThat(p.upstreamReceived()).isEmpty();
            assertThat(p.stats.http.badRequests.sum()).isEqualTo(1);
        }
    }

    @Test
    void malformedHeaderGets400() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /x HTTP/1.1\r\nHost: s\r\nBad Header Name: v\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 400");
            assertThat(p.upstreams).isEmpty();
            assertThat(p.client.isOpen()).isFalse();
        }
    }

    @Test
    void oversizedHeadersGet431AndLongUriGets414() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /x HTTP/1.1\r\nHost: s\r\nx-big: " + "a".repeat(HttpProxyConnection.MAX_HEADER_SIZE + 10) + "\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 431 Request Header Fields Too Large");
            assertThat(p.client.isOpen()).isFalse();
            assertThat(p.stats.http.headersTooLarge.sum()).isEqualTo(1);
            assertThat(p.upstreams).isEmpty();
        }
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /" + "u".repeat(HttpProxyConnection.MAX_INITIAL_LINE + 10) + " HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 414");
            assertThat(p.stats.http.uriTooLong.sum()).isEqualTo(1);
        }
    }

    @Test
    void missingHostAndUnsupportedVersionsAndConnectAreRefused() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET /x HTTP/1.1\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 400");
            assertThat(p.client.isOpen()).isFalse();
        }
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 505");
            assertThat(p.upstreams).isEmpty();
        }
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 501");
            assertThat(p.upstreams).isEmpty();
        }
    }

    @Test
    void upstreamRefusedGives502AndTimeoutGives504() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.connectFailure = EmbeddedHttpProxy.refused();
            p.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 502 Bad Gateway");
            assertThat(p.client.isOpen()).isTrue();
            p.connectFailure = EmbeddedHttpProxy.timedOut();
            p.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 504 Gateway Timeout");
            assertThat(p.stats.http.badGateway.sum()).isEqualTo(1);
            assertThat(p.stats.http.gatewayTimeout.sum()).isEqualTo(1);
        }
    }

    @Test
    void invalidUpstreamResponseGives502() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.upstreamSends("SSH-2.0-OpenSSH_9.2\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 502");
            assertThat(p.upstream().isOpen()).isFalse();
            assertThat(p.client.isOpen()).isTrue();
        }
    }

    @Test
    void upstreamClosingWithoutAnswerGives502() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.upstream().close();
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 502");
        }
    }

    @Test
    void upstreamResponseTimeoutGives504() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(EmbeddedHttpProxy.activeRules("[]"), 1, Duration.ofSeconds(2))) {
            p.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n");
            p.upstreamReceived();
            p.advance(1999);
            assertThat(p.clientReceived()).isEmpty();
            p.advance(1);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 504");
            assertThat(p.upstreams.get(0).isOpen()).isFalse();
            // A late answer on the old connection cannot be mistaken for the next request's.
            p.send("GET /next HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.upstreams).hasSize(2);
        }
    }

    @Test
    void requestBodyChunkLimitKeepsBodiesStreamedNotAggregated() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            int size = HttpProxyConnection.MAX_CHUNK * 4;
            p.send("POST /big HTTP/1.1\r\nHost: s\r\nContent-Length: " + size + "\r\n\r\n" + "z".repeat(size / 2));
            String first = p.upstreamReceived();
            assertThat(first).startsWith("POST /big");
            assertThat(first.chars().filter(c -> c == 'z').count()).isEqualTo(size / 2);
            p.send("z".repeat(size / 2));
            assertThat(p.upstreamReceived()).hasSize(size / 2);
        }
    }

    static List<String> statuses(String raw) {
        return java.util.regex.Pattern.compile("HTTP/1.1 (\\d{3})").matcher(raw).results().map(m -> m.group(1)).toList();
    }
}
