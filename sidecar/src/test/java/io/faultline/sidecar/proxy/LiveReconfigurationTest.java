package io.faultline.sidecar.proxy;

import static io.faultline.sidecar.testing.InProcessSidecar.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.testing.InProcessSidecar;
import io.faultline.sidecar.testing.StreamPeer;
import static io.faultline.sidecar.testing.Wire.fastestRoundTripMillis;
import static io.faultline.sidecar.testing.Wire.roundTripMillis;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Config changes reach open connections at once, never drop healthy ones and never lose held bytes. */
class LiveReconfigurationTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private InProcessSidecar sidecar;
    private StreamPeer upstream;

    @AfterEach
    void tearDown() throws Exception {
        pool.shutdownNow();
        if (sidecar != null) {
            sidecar.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private String config(String version, String rules) {
        return """
                version: "%s"
                listeners:
                  - {name: echo, listen: 127.0.0.1:0, upstream: %s}
                rules: %s
                """.formatted(version, upstream.address(), rules);
    }

    @Test
    void addingAndRemovingALatencyRuleAppliesToAnOpenConnection() throws Exception {
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(3);
        sidecar.apply(config("1", "[]"));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("echo"))) {
            s.setSoTimeout(10_000);
            assertThat(fastestRoundTripMillis(s, 3)).isLessThan(150);

            sidecar.apply(config("2", "[{name: slow, latency: {fixed: 200ms}}]"));
            eventually(2000, () -> {
                try {
                    assertThat(roundTripMillis(s)).isGreaterThanOrEqualTo(195);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(sidecar.engine().ruleStats().get("slow").connections.sum()).isEqualTo(1);
            assertThat(sidecar.engine().ruleStats().get("slow").injected.sum()).isGreaterThanOrEqualTo(1);

            sidecar.apply(config("3", "[]"));
            assertThat(fastestRoundTripMillis(s, 3)).isLessThan(150);
        }
    }

    @Test
    void aLimitDataRuleChangedOnlyInItsLimitKeepsTheCountOfOpenConnections() throws Exception {
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(3);
        sidecar.apply(config("1", "[{name: cap, stream: downstream, limitData: {bytes: 1000}}]"));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("echo"))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[60]);
            assertThat(s.getInputStream().readNBytes(60)).hasSize(60);

            sidecar.apply(config("2", "[{name: cap, stream: downstream, limitData: {bytes: 100}}]"));
            s.getOutputStream().write(new byte[60]);
            // 60 of 100 were forwarded before the change: 40 more, then the close (a fresh count would pass all 60).
            assertThat(s.getInputStream().readAllBytes()).hasSize(40);
            try (Socket fresh = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("echo"))) {
                fresh.setSoTimeout(10_000);
                fresh.getOutputStream().write(new byte[60]);
                assertThat(fresh.getInputStream().readNBytes(60)).as("a new connection counts from 0").hasSize(60);
            }
        }
        assertThat(sidecar.engine().ruleStats().get("cap").connections.sum()).isEqualTo(2);
    }

    @Test
    void aLimitDataRuleWhoseStreamChangedStartsAfresh() throws Exception {
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(3);
        sidecar.apply(config("1", "[{name: cap, stream: downstream, limitData: {bytes: 100}}]"));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("echo"))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[60]);
            assertThat(s.getInputStream().readNBytes(60)).hasSize(60);
            sidecar.apply(config("2", "[{name: cap, stream: both, limitData: {bytes: 100}}]"));
            s.getOutputStream().write(new byte[60]);
            assertThat(s.getInputStream().readNBytes(60)).as("not a settings-only change: counted anew").hasSize(60);
        }
    }

    @Test
    void bytesHeldByARemovedFaultAreFlushedNotLost() throws Exception {
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(3);
        // A stalled stream: rate 0 holds every byte until the rule goes.
        sidecar.apply(config("1", "[{name: stall, bandwidthStall: {}}]".replace("bandwidthStall: {}", "latency: {fixed: 1h}")));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("echo"))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("held-bytes\n".getBytes());
            s.getOutputStream().flush();
            Thread.sleep(100);
            assertThat(s.getInputStream().available()).as("nothing may pass while held").isZero();
            sidecar.apply(config("2", "[]"));
            byte[] buf = s.getInputStream().readNBytes(11);
            assertThat(new String(buf)).isEqualTo("held-bytes\n");
        }
    }

    @Test
    void manyChangesWhileDataFlowsLoseNoByte() throws Exception {
        long size = 32L << 20;
        upstream = new StreamPeer(StreamPeer.Mode.SEND_AND_HASH, size, 5);
        sidecar = new InProcessSidecar(9);
        sidecar.apply(config("0", "[]"));
        Future<ProxyByteIntegrityTest.ClientSide> transfer =
                pool.submit(() -> ProxyByteIntegrityTest.exchange(pool, sidecar.port("echo"), size, 6));
        for (int i = 1; i <= 40 && !transfer.isDone(); i++) {
            String rules = switch (i % 4) {
                case 0 -> "[]";
                case 1 -> "[{name: a, stream: both, latency: {fixed: 2ms, jitter: 1ms}}]";
                case 2 -> "[{name: a, stream: both, latency: {fixed: 3ms}}, {name: b, stream: upstream, latency: {fixed: 1ms}}]";
                default -> "[{name: b, stream: upstream, latency: {fixed: 1ms}}]";
            };
            sidecar.apply(config(String.valueOf(i), rules));
            Thread.sleep(15);
        }
        ProxyByteIntegrityTest.ClientSide client = transfer.get(120, TimeUnit.SECONDS);
        StreamPeer.Exchange server = upstream.exchange(0, 60, TimeUnit.SECONDS);
        assertThat(server.received()).isEqualTo(size);
        assertThat(server.receivedSha256()).isEqualTo(client.sentSha());
        assertThat(client.received()).isEqualTo(size);
        assertThat(client.receivedSha()).isEqualTo(server.sentSha256());
    }

    @Test
    void unrelatedChangesKeepOpenConnectionsAndRemovedListenersCloseTheirs() throws Exception {
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(3);
        sidecar.apply(config("1", "[]"));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("echo"))) {
            s.setSoTimeout(5_000);
            roundTripMillis(s);
            for (int i = 2; i < 30; i++) {
                sidecar.apply(config(String.valueOf(i), "[{name: r%d, probability: 0, latency: {fixed: 1s}}]".formatted(i)));
            }
            assertThat(fastestRoundTripMillis(s, 3)).isLessThan(150);

            sidecar.apply("version: \"gone\"\nlisteners: []\nrules: []\n");
            eventually(2000, () -> {
                try {
                    assertThat(s.getInputStream().read()).isEqualTo(-1);
                } catch (java.net.SocketException e) {
                    // a reset is a close too
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Test
    void aRejectedConfigLeavesTheOldOneInForce() throws Exception {
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(3);
        sidecar.apply(config("good", "[{name: slow, latency: {fixed: 100ms}}]"));
        int port = sidecar.port("echo");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String clash = """
                    version: "bad"
                    listeners:
                      - {name: echo, listen: 127.0.0.1:0, upstream: %s}
                      - {name: other, listen: 127.0.0.1:%d, upstream: %s}
                    rules: []
                    """.formatted(upstream.address(), taken.getLocalPort(), upstream.address());
            assertThatThrownBy(() -> sidecar.apply(clash))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ConfigException.class)
                    .hasMessageContaining("listeners[1].listen");
        }
        assertThat(sidecar.engine().config().version()).isEqualTo("good");
        assertThat(sidecar.port("echo")).isEqualTo(port);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5_000);
            assertThat(roundTripMillis(s)).isGreaterThanOrEqualTo(95);
        }
    }

    @Test
    void pastExpiryMeansPassThroughAndFutureExpiryEndsFaultsByItself() throws Exception {
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(3);
        String past = Instant.now().minusSeconds(5).toString();
        sidecar.apply(config("1", "[{name: slow, latency: {fixed: 300ms}}]").replace("rules:", "expiresAt: \"" + past + "\"\nrules:"));
        assertThat(sidecar.engine().expired()).isTrue();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("echo"))) {
            s.setSoTimeout(5_000);
            assertThat(fastestRoundTripMillis(s, 3)).isLessThan(250);
        }

        String soon = Instant.now().plusMillis(700).toString();
        sidecar.apply(config("2", "[{name: slow, latency: {fixed: 300ms}}]").replace("rules:", "expiresAt: \"" + soon + "\"\nrules:"));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("echo"))) {
            s.setSoTimeout(5_000);
            assertThat(roundTripMillis(s)).isGreaterThanOrEqualTo(295);
            eventually(3000, () -> assertThat(sidecar.engine().expired()).isTrue());
            assertThat(fastestRoundTripMillis(s, 3)).as("same connection after expiry").isLessThan(250);
        }
    }
}
