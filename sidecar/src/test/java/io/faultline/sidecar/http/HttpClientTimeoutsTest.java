package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The client request timers on virtual time (EmbeddedChannel): exactly when each clock runs and when it does not. */
class HttpClientTimeoutsTest {
    private static final String GET = "GET /items HTTP/1.1\r\nHost: shop\r\n\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static EmbeddedHttpProxy proxy(long headMs, long bodyMs) {
        return new EmbeddedHttpProxy(EmbeddedHttpProxy.activeRules("[]"), 1, HttpConnectionOptions.DEFAULTS
                .withIdleTimeout(Duration.ofSeconds(60)).withResponseTimeout(Duration.ZERO)
                .withClientTimeouts(new HttpConnectionOptions.ClientTimeouts(Duration.ofMillis(headMs),
                        Duration.ofMillis(bodyMs))));
    }

    @Test
    void theHeadClockRunsFromTheFirstByteAndAnswers408() {
        try (EmbeddedHttpProxy p = proxy(1_000, 0)) {
            p.advance(30_000); // idle, not slow
            assertThat(p.client.isOpen()).isTrue();
            p.send("GET /items HTTP/1.1\r\nHo");
            p.advance(999);
            assertThat(p.clientReceived()).isEmpty();
            p.advance(1);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 408 Request Timeout").containsIgnoringCase("connection: close");
            assertThat(p.client.isOpen()).isFalse();
            assertThat(p.upstreamReceived()).isEmpty();
            assertThat(p.stats.http.requestHeadTimeouts.sum()).isEqualTo(1);
        }
    }

    @Test
    void aHeadCompletedInTimeStopsTheClockAndTheResponseTimeIsNotCounted() {
        try (EmbeddedHttpProxy p = proxy(1_000, 0)) {
            p.send("GET /items HTTP/1.1\r\nHo");
            p.advance(900);
            p.send("st: shop\r\n\r\n");
            assertThat(p.upstreamReceived()).startsWith("GET /items");
            p.advance(5_000); // the upstream is slow: not the client's head
            p.upstreamSends(OK);
            assertThat(p.clientReceived()).endsWith("ok");
            p.advance(5_000); // idle between requests
            assertThat(p.client.isOpen()).isTrue();
            assertThat(p.stats.http.requestHeadTimeouts.sum()).isZero();
        }
    }

    @Test
    void pipelinedBytesOfAnIncompleteHeadAreTimedFromTheEndOfThePreviousExchange() {
        try (EmbeddedHttpProxy p = proxy(1_000, 0)) {
            p.send(GET);
            p.upstreamReceived();
            p.send("GET /next HTTP/1.1\r\nHo"); // a read of its own, while the first exchange is in progress
            p.advance(3_000); // the first response takes its time: the second head's clock does not run yet
            p.upstreamSends(OK);
            assertThat(p.clientReceived()).endsWith("ok");
            p.advance(999);
            assertThat(p.client.isOpen()).isTrue();
            p.advance(1);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 408");
            assertThat(p.client.isOpen()).isFalse();
        }
    }

    @Test
    void theBodyClockMeasuresGapsWhileTheProxyWaitsForTheBody() {
        try (EmbeddedHttpProxy p = proxy(0, 1_000)) {
            p.send("POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 6\r\n\r\nab");
            assertThat(p.upstreamReceived()).startsWith("POST /upload").endsWith("ab");
            p.advance(900);
            p.send("cd");
            p.upstreamReceived();
            p.advance(900); // 1.8 s since the head, 0.9 s since the last bytes
            assertThat(p.client.isOpen()).isTrue();
            p.advance(100);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 408").containsIgnoringCase("connection: close");
            assertThat(p.client.isOpen()).isFalse();
            assertThat(p.upstream().isOpen()).isFalse(); // it held half a request
            assertThat(p.stats.http.requestBodyTimeouts.sum()).isEqualTo(1);
        }
    }

    @Test
    void aClientWaitingFor100ContinueIsAwaitedOnlyOnceTheContinueWentOut() {
        try (EmbeddedHttpProxy p = proxy(0, 1_000)) {
            p.send("POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            assertThat(p.upstreamReceived()).containsIgnoringCase("expect: 100-continue");
            p.advance(10_000); // the upstream thinks it over; the client rightly waits
            assertThat(p.client.isOpen()).isTrue();
            p.upstreamSends("HTTP/1.1 100 Continue\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 100 Continue");
            p.advance(999);
            assertThat(p.client.isOpen()).isTrue();
            p.advance(1);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 408");
            assertThat(p.stats.http.requestBodyTimeouts.sum()).isEqualTo(1);
        }
    }

    @Test
    void onceTheResponseStartedABodyTimeoutClosesWithoutA408() {
        try (EmbeddedHttpProxy p = proxy(0, 1_000)) {
            p.send("POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 6\r\n\r\nab");
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 200");
            p.advance(1_000);
            assertThat(p.clientReceived()).doesNotContain("408");
            assertThat(p.client.isOpen()).isFalse();
            assertThat(p.stats.http.requestBodyTimeouts.sum()).isEqualTo(1);
        }
    }
}
