package io.faultline.sidecar.proxy;

import static io.faultline.sidecar.testing.Wire.readOrReset;
import static io.faultline.sidecar.testing.Wire.roundTripMillis;
import static io.faultline.sidecar.testing.InProcessSidecar.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.testing.InProcessSidecar;
import io.faultline.sidecar.testing.StreamPeer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connection-level behaviour: probability per connection, unreachable upstreams, connection limits, half-close. */
class ProxyBehaviourTest {
    private InProcessSidecar sidecar;
    private StreamPeer upstream;

    @AfterEach
    void tearDown() throws Exception {
        if (sidecar != null) {
            sidecar.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private long connectionsDrawn(long seed, int connections, double probability) throws Exception {
        try (InProcessSidecar s = new InProcessSidecar(seed)) {
            s.apply("""
                    listeners: [{name: echo, listen: 127.0.0.1:0, upstream: %s}]
                    rules: [{name: coin, probability: %s, latency: {fixed: 0}}]
                    """.formatted(upstream.address(), probability));
            for (int i = 0; i < connections; i++) {
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), s.port("echo"))) {
                    c.setSoTimeout(5_000);
                    roundTripMillis(c);
                }
            }
            return s.engine().ruleStats().get("coin").connections.sum();
        }
    }

    @Test
    void probabilityIsDrawnPerConnectionReproduciblyWithASeed() throws Exception {
        upstream = StreamPeer.echo();
        int n = 300;
        double p = 0.3;
        long drawn = connectionsDrawn(42, n, p);
        // Binomial(300, 0.3): mean 90, sd 7.9; ±4 sd keeps a false failure below 1e-4.
        double sd = Math.sqrt(n * p * (1 - p));
        assertThat((double) drawn).isBetween(n * p - 4 * sd, n * p + 4 * sd);
        assertThat(connectionsDrawn(42, n, p)).as("same seed, same connection order, same draws").isEqualTo(drawn);
        assertThat(connectionsDrawn(42, 50, 0.0)).as("probability 0 never applies").isZero();
        assertThat(connectionsDrawn(42, 50, 1.0)).as("probability 1 always applies").isEqualTo(50);
    }

    @Test
    void unreachableUpstreamClosesTheClientPromptlyAndIsCounted() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        sidecar = new InProcessSidecar(1);
        sidecar.apply("listeners: [{name: dead, listen: 127.0.0.1:0, upstream: 127.0.0.1:%d}]".formatted(closedPort));
        for (int i = 0; i < 3; i++) {
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("dead"))) {
                c.setSoTimeout(3_000);
                assertThat(readOrReset(c.getInputStream())).as("closed, not hung").isEqualTo(-1);
            }
        }
        ListenerStats stats = sidecar.engine().listenerStats().get("dead");
        eventually(2000, () -> assertThat(stats.upstreamConnectFailures.sum()).isEqualTo(3));
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAndCounted() throws Exception {
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(1);
        sidecar.apply("listeners: [{name: echo, listen: 127.0.0.1:0, upstream: %s, maxConnections: 2}]"
                .formatted(upstream.address()));
        int port = sidecar.port("echo");
        try (Socket a = new Socket(InetAddress.getLoopbackAddress(), port);
             Socket b = new Socket(InetAddress.getLoopbackAddress(), port)) {
            a.setSoTimeout(5_000);
            b.setSoTimeout(5_000);
            roundTripMillis(a);
            roundTripMillis(b);
            try (Socket third = new Socket(InetAddress.getLoopbackAddress(), port)) {
                third.setSoTimeout(3_000);
                assertThat(readOrReset(third.getInputStream())).isEqualTo(-1);
            }
            assertThat(sidecar.engine().listenerStats().get("echo").connectionsRejected.sum()).isEqualTo(1);
            roundTripMillis(a);
        }
    }

    @Test
    void halfCloseIsPassedThroughAndTheAnswerStillArrives() throws Exception {
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(1);
        sidecar.apply("""
                listeners: [{name: echo, listen: 127.0.0.1:0, upstream: %s}]
                rules: [{name: slow, stream: both, latency: {fixed: 50ms}}]
                """.formatted(upstream.address()));
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("echo"))) {
            c.setSoTimeout(5_000);
            c.getOutputStream().write("last words".getBytes());
            c.shutdownOutput();
            assertThat(new String(c.getInputStream().readAllBytes())).isEqualTo("last words");
        }
    }

    @Test
    void aLargeAnswerReachesAClientThatHalfClosedAndReadsSlowly() throws Exception {
        long size = 8L << 20;
        upstream = new StreamPeer(StreamPeer.Mode.SEND_AND_HASH, size, 3);
        sidecar = new InProcessSidecar(1);
        sidecar.apply("listeners: [{name: big, listen: 127.0.0.1:0, upstream: %s}]".formatted(upstream.address()));
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("big"))) {
            c.setSoTimeout(10_000);
            c.setReceiveBufferSize(16 * 1024);
            c.getOutputStream().write("GET all\n".getBytes());
            c.shutdownOutput();
            Thread.sleep(300); // let the proxy's socket buffers fill while the client does not read
            long[] count = new long[1];
            String sha = StreamPeer.hashUntilEnd(c.getInputStream(), count);
            StreamPeer.Exchange server = upstream.exchange(0, 30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(count[0]).isEqualTo(size);
            assertThat(sha).isEqualTo(server.sentSha256());
            assertThat(server.received()).isEqualTo(8);
        }
    }
}
