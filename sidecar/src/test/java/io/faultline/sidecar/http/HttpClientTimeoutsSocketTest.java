package io.faultline.sidecar.http;

import static io.faultline.sidecar.testing.InProcessSidecar.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.testing.InProcessSidecar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * requestHeadTimeout and requestBodyIdleTimeout against real slow clients: bytes trickled on a real
 * socket through the sidecar to a real upstream. The timeouts are short; nothing here times the proxy.
 */
class HttpClientTimeoutsSocketTest {
    private static final String GET = "GET /api/items HTTP/1.1\r\nHost: shop\r\nX-Padding: 0123456789\r\n\r\n";
    private TestHttpUpstream upstream;
    private InProcessSidecar sidecar;

    @BeforeEach
    void setUp() throws Exception {
        upstream = new TestHttpUpstream();
        sidecar = new InProcessSidecar(1);
    }

    @AfterEach
    void tearDown() {
        sidecar.close();
        upstream.close();
    }

    private void listener(String options) throws Exception {
        sidecar.apply("""
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://%s", %s}
                rules: []
                """.formatted(upstream.address(), options));
    }

    private HttpListenerStats stats() {
        return sidecar.engine().listenerStats().get("web").http;
    }

    /** Sends {@code text} in pieces of {@code piece} bytes, {@code gapMs} apart; stops quietly once the proxy closed. */
    private static void trickle(RawHttpClient c, String text, int piece, long gapMs) throws InterruptedException {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += piece) {
            try {
                c.send(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + piece)));
            } catch (IOException closed) {
                return;
            }
            Thread.sleep(gapMs);
        }
    }

    private static Thread trickleInBackground(RawHttpClient c, String text, int piece, long gapMs) {
        Thread t = new Thread(() -> {
            try {
                trickle(c, text, piece, gapMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "slow-client");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void aHeadTrickledPastTheTimeoutGets408AndCloseAndNothingReachesTheUpstream() throws Exception {
        listener("requestHeadTimeout: 200ms, idleTimeout: 60s");
        try (RawHttpClient slow = new RawHttpClient(sidecar.port("web"))) {
            Thread t = trickleInBackground(slow, GET, 1, 40); // ~2.5 s for the whole head
            RawHttpClient.Response r = slow.read(false);
            assertThat(r).isNotNull();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(slow.closedByPeer(5_000)).isTrue();
            t.interrupt();
        }
        assertThat(upstream.requests.get()).isZero();
        assertThat(stats().requestHeadTimeouts.sum()).isEqualTo(1);
        assertThat(stats().forwarded.sum()).isZero();
    }

    @Test
    void zeroTurnsTheHeadClockOffTheSameTrickledHeadIsServed() throws Exception {
        listener("requestHeadTimeout: 0, idleTimeout: 60s");
        try (RawHttpClient slow = new RawHttpClient(sidecar.port("web"))) {
            trickle(slow, GET, 8, 80); // ~0.8 s, four times a 200ms head timeout
            assertThat(slow.read(false).status()).isEqualTo(200);
        }
        assertThat(stats().requestHeadTimeouts.sum()).isZero();
    }

    @Test
    void aKeepAliveConnectionIdleBetweenRequestsIsNotTimedOutByTheHeadClock() throws Exception {
        listener("requestHeadTimeout: 200ms, idleTimeout: 60s");
        try (RawHttpClient c = new RawHttpClient(sidecar.port("web"))) {
            assertThat(c.closedByPeer(700)).isFalse(); // a new connection that sends nothing yet
            assertThat(c.get("/api/items").status()).isEqualTo(200);
            assertThat(c.closedByPeer(700)).isFalse(); // between requests
            assertThat(c.get("/api/items").status()).isEqualTo(200);
        }
        assertThat(stats().requestHeadTimeouts.sum()).isZero();
        assertThat(stats().idleClosed.sum()).isZero();
    }

    @Test
    void theHeadClockStartsAtTheHeadsFirstByteNotAtThePreviousResponse() throws Exception {
        listener("requestHeadTimeout: 600ms, idleTimeout: 60s");
        try (RawHttpClient c = new RawHttpClient(sidecar.port("web"))) {
            assertThat(c.get("/api/items").status()).isEqualTo(200);
            Thread.sleep(900); // longer than the head timeout, idle
            trickle(c, GET, GET.length() / 2 + 1, 100); // two pieces: the head takes ~0.1 s
            assertThat(c.read(false).status()).isEqualTo(200);
            // The second head of this connection, trickled past the timeout: 408.
            Thread t = trickleInBackground(c, GET, 1, 40);
            assertThat(c.read(false).status()).isEqualTo(408);
            t.interrupt();
        }
        assertThat(stats().requestHeadTimeouts.sum()).isEqualTo(1);
        assertThat(upstream.count("/api/items")).isEqualTo(2);
    }

    @Test
    void anIdleConnectionStillClosesAfterIdleTimeoutWithoutA408() throws Exception {
        listener("requestHeadTimeout: 100ms, idleTimeout: 300ms");
        try (RawHttpClient c = new RawHttpClient(sidecar.port("web"))) {
            assertThat(c.get("/api/items").status()).isEqualTo(200);
            assertThat(c.read(false)).isNull(); // closed without an answer
        }
        eventually(5_000, () -> assertThat(stats().idleClosed.sum()).isEqualTo(1));
        assertThat(stats().requestHeadTimeouts.sum()).isZero();
    }

    private static String uploadHead(int length) {
        return "POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: " + length + "\r\n\r\n";
    }

    @Test
    void aBodyThatStopsGets408AndBothConnectionsClose() throws Exception {
        listener("requestBodyIdleTimeout: 200ms");
        try (RawHttpClient c = new RawHttpClient(sidecar.port("web"))) {
            c.send(uploadHead(100) + "x".repeat(10));
            RawHttpClient.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedByPeer(5_000)).isTrue();
        }
        assertThat(stats().requestBodyTimeouts.sum()).isEqualTo(1);
        assertThat(stats().forwarded.sum()).isEqualTo(1); // the head went on; the upstream never answered it
        assertThat(upstream.count("/upload")).isLessThanOrEqualTo(1);
    }

    @Test
    void aBodyTrickledWithGapsShorterThanTheTimeoutArrivesWhole() throws Exception {
        listener("requestBodyIdleTimeout: 400ms");
        String body = "0123456789".repeat(3);
        try (RawHttpClient c = new RawHttpClient(sidecar.port("web"))) {
            c.send(uploadHead(body.length()));
            trickle(c, body, 3, 80); // ten pieces: ~0.8 s in all, twice the timeout, gaps a fifth of it
            RawHttpClient.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).contains("\"bytes\":30").contains(TestHttpUpstream.sha256(body.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(stats().requestBodyTimeouts.sum()).isZero();
    }

    @Test
    void theOptionsRenderBackInTheConfig() throws Exception {
        listener("requestHeadTimeout: 250ms, requestBodyIdleTimeout: 2s");
        String rendered = io.faultline.sidecar.config.ConfigJson.render(sidecar.engine().config(), name -> null).toString();
        assertThat(rendered).contains("\"requestHeadTimeout\":\"250ms\"").contains("\"requestBodyIdleTimeout\":\"2s\"");
    }
}
