package io.faultline.sidecar.http;

import static io.faultline.sidecar.testing.InProcessSidecar.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.testing.InProcessSidecar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket through an http listener, real sockets end to end: the JDK's WebSocket client, the
 * proxy, Netty's WebSocket server. HTTP rules act on the upgrade request; tcp faults on the frames.
 */
class WebSocketProxyTest {
    private static final long DELAY_MS = 400;
    private TestWebSocketUpstream upstream;
    private InProcessSidecar sidecar;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        upstream = new TestWebSocketUpstream();
        sidecar = new InProcessSidecar(3);
    }

    @AfterEach
    void tearDown() {
        sidecar.close();
        upstream.close();
    }

    private void apply(String version, String rules) throws Exception {
        sidecar.apply("""
                version: "%s"
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://%s"}]
                rules: %s
                """.formatted(version, upstream.address(), rules));
    }

    private ListenerStats stats() {
        return sidecar.engine().listenerStats().get("web");
    }

    /** A client connection and what it received, in order. */
    private final class Client implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        WebSocket ws;

        Client open(String path) throws Exception {
            ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + sidecar.port("web") + path), this)
                    .get(10, TimeUnit.SECONDS);
            return this;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closedWith.complete(statusCode);
            return null;
        }

        /** Sends {@code text}, waits for its echo; the round trip in milliseconds. */
        long roundTrip(String text) throws Exception {
            long start = System.nanoTime();
            ws.sendText(text, true).get(10, TimeUnit.SECONDS);
            String echo = texts.poll(10, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(echo).isEqualTo("echo:" + text);
            return ms;
        }

        long fastestOf(int n, String text) throws Exception {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                best = Math.min(best, roundTrip(text + i));
            }
            return best;
        }
    }

    @Test
    void framesEchoThroughAndTheCloseHandshakePassesAndNothingStaysOpen() throws Exception {
        apply("1", "[]");
        Client c = new Client().open("/ws");
        for (int i = 0; i < 20; i++) {
            c.roundTrip("frame-" + i + "-" + "x".repeat(i * 500));
        }
        assertThat(stats().http.upgraded.sum()).isEqualTo(1);
        assertThat(upstream.handshakes.get()).isEqualTo(1);
        c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        assertThat(c.closedWith.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        eventually(10_000, () -> {
            assertThat(stats().connectionsActive.get()).isZero();
            assertThat(upstream.open.get()).isZero();
            assertThat(sidecar.engine().listenerStats().get("web").http.badGateway.sum()).isZero();
        });
    }

    @Test
    void aTcpLatencyRuleDelaysFramesAndRuleChangesApplyToTheOpenConnection() throws Exception {
        apply("1", "[]");
        Client c = new Client().open("/ws");
        long before = c.fastestOf(3, "plain");
        assertThat(before).isLessThan(DELAY_MS);

        apply("2", "[{name: slow-frames, latency: {fixed: %dms}}]".formatted(DELAY_MS));
        for (int i = 0; i < 3; i++) {
            assertThat(c.roundTrip("slow" + i)).isGreaterThanOrEqualTo(DELAY_MS);
        }
        assertThat(sidecar.engine().ruleStats().get("slow-frames").connections.sum()).isEqualTo(1);

        apply("3", "[]");
        assertThat(c.fastestOf(3, "again")).isLessThan(DELAY_MS);
        c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        assertThat(c.closedWith.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }

    @Test
    void aRuleMatchIsTestedAgainstTheUpgradeRequest() throws Exception {
        apply("1", "[{name: slow-room, match: {path: /ws/slow}, stream: both, latency: {fixed: %dms}}]"
                .formatted(DELAY_MS));
        Client fast = new Client().open("/ws/fast");
        Client slow = new Client().open("/ws/slow");
        assertThat(fast.fastestOf(3, "f")).isLessThan(DELAY_MS);
        // both streams delayed: at least twice the delay per round trip
        assertThat(slow.roundTrip("s")).isGreaterThanOrEqualTo(2 * DELAY_MS);
        assertThat(stats().http.upgraded.sum()).isEqualTo(2);
    }

    @Test
    void anHttpRuleAbortsTheUpgradeRequestItself() throws Exception {
        apply("1", "[{name: no-ws, match: {path: /ws}, abort: {status: 503}}]");
        assertThatThrownBy(() -> new Client().open("/ws"))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(503));
        assertThat(upstream.handshakes.get()).isZero();
        assertThat(stats().http.upgraded.sum()).isZero();
        assertThat(sidecar.engine().ruleStats().get("no-ws").injected.sum()).isEqualTo(1);
    }

    /** A client text frame (masked, as clients must), payload under 126 bytes. */
    private static byte[] clientTextFrame(String text) {
        byte[] payload = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    @Test
    void aFirstFrameInTheSameWriteAsTheUpgradeRequestIsRelayedAfterThe101() throws Exception {
        apply("1", "[]");
        try (RawHttpClient c = new RawHttpClient(sidecar.port("web"))) {
            byte[] head = ("GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            byte[] first = clientTextFrame("first");
            byte[] second = clientTextFrame("second");
            java.io.ByteArrayOutputStream oneWrite = new java.io.ByteArrayOutputStream();
            oneWrite.write(head);
            oneWrite.write(first);
            oneWrite.write(second);
            c.send(oneWrite.toByteArray());
            assertThat(c.read(true).status()).isEqualTo(101);
            byte[] echo1 = c.readBytes(2 + "echo:first".length());
            byte[] echo2 = c.readBytes(2 + "echo:second".length());
            assertThat(new String(echo1, 2, echo1.length - 2, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("echo:first");
            assertThat(new String(echo2, 2, echo2.length - 2, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("echo:second");
            c.send(clientTextFrame("later"));
            byte[] echo3 = c.readBytes(2 + "echo:later".length());
            assertThat(new String(echo3, 2, echo3.length - 2, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("echo:later");
        }
        assertThat(stats().http.upgraded.sum()).isEqualTo(1);
    }
}
