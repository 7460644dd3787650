package io.faultline.sidecar.proxy;

import static io.faultline.sidecar.testing.InProcessSidecar.eventually;
import static io.faultline.sidecar.testing.Wire.roundTripMillis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.testing.InProcessSidecar;
import io.faultline.sidecar.testing.StreamPeer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each TCP fault on real sockets through the in-process proxy, against an upstream the test starts.
 * Timing checks are lower bounds only (a fault can make things later, never earlier) with generous
 * socket timeouts as the upper guard.
 */
class TcpFaultsEndToEndTest {
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

    private int start(StreamPeer peer, String rules) throws Exception {
        upstream = peer;
        sidecar = new InProcessSidecar(3);
        sidecar.apply("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: %s}]
                rules: %s
                """.formatted(peer.address(), rules));
        return sidecar.port("t");
    }

    private Socket connect(int port) throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads until end of stream; returns the count. A reset counts as the end. */
    private static long countUntilClosed(InputStream in) throws Exception {
        byte[] buf = new byte[8192];
        long n = 0;
        try {
            int r;
            while ((r = in.read(buf)) > 0) {
                n += r;
            }
        } catch (SocketException reset) {
            // closed the hard way: what arrived before still counts
        }
        return n;
    }

    @Test
    void latencySlicerBandwidthAndLossTogetherKeep64MiBByteExactBothWays() throws Exception {
        long size = 64L << 20;
        int port = start(new StreamPeer(StreamPeer.Mode.SEND_AND_HASH, size, 5), """
                [{name: lat, stream: both, latency: {fixed: 1ms, jitter: 1ms}},
                 {name: cut, stream: both, slicer: {averageSize: 16KiB, sizeVariation: 8KiB}},
                 {name: thin, stream: both, bandwidth: {rate: 400MB}},
                 {name: lossy, stream: both, loss: {probability: 0.01, stall: 2ms}}]""");
        ProxyByteIntegrityTest.ClientSide client = ProxyByteIntegrityTest.exchange(pool, port, size, 9);
        StreamPeer.Exchange server = upstream.exchange(0, 120, TimeUnit.SECONDS);
        assertThat(server.received()).isEqualTo(size);
        assertThat(server.receivedSha256()).isEqualTo(client.sentSha());
        assertThat(client.received()).isEqualTo(size);
        assertThat(client.receivedSha()).isEqualTo(server.sentSha256());
        assertThat(sidecar.engine().ruleStats().get("lossy").injected.sum()).isPositive();
    }

    @Test
    void bandwidthCannotBeBeatenAndLosesNothing() throws Exception {
        long size = 256 * 1024;
        int port = start(new StreamPeer(StreamPeer.Mode.SEND_AND_HASH, size, 5), "[{name: thin, bandwidth: {rate: 1MB}}]");
        long start = System.nanoTime();
        ProxyByteIntegrityTest.ClientSide client = ProxyByteIntegrityTest.exchange(pool, port, 0, 9);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(client.received()).isEqualTo(size);
        assertThat(client.receivedSha()).isEqualTo(upstream.exchange(0, 10, TimeUnit.SECONDS).sentSha256());
        // 262,144 bytes at 1,000,000 B/s: the last byte cannot leave before 262 ms.
        assertThat(elapsedMs).isGreaterThanOrEqualTo(262);
    }

    @Test
    void limitDataDeliversExactlyTheLimitThenCloses() throws Exception {
        int port = start(new StreamPeer(StreamPeer.Mode.SEND_AND_HASH, 1 << 20, 5), "[{name: cap, limitData: {bytes: 1000}}]");
        try (Socket c = connect(port)) {
            assertThat(countUntilClosed(c.getInputStream())).isEqualTo(1000);
        }
        eventually(2000, () -> assertThat(sidecar.engine().ruleStats().get("cap").injected.sum()).isEqualTo(1));
    }

    @Test
    void resetPeerResetsTheClientAfterTheTimeout() throws Exception {
        int port = start(StreamPeer.echo(), "[{name: rst, resetPeer: {after: 300ms}}]");
        try (Socket c = connect(port)) {
            long start = System.nanoTime();
            roundTripMillis(c);
            assertThatThrownBy(() -> c.getInputStream().read())
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250);
        }
    }

    @Test
    void timeoutSwallowsTrafficThenCloses() throws Exception {
        int port = start(StreamPeer.echo(), "[{name: to, stream: upstream, timeout: {after: 300ms}}]");
        try (Socket c = connect(port)) {
            long start = System.nanoTime();
            c.getOutputStream().write("ping\n".getBytes());
            assertThat(countUntilClosed(c.getInputStream())).as("nothing reached the echo server").isZero();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(290);
        }
    }

    @Test
    void resetPeerStartsItsClockAtTheFirstChunkNotAtTheInstall() throws Exception {
        int port = start(StreamPeer.echo(), "[{name: rst, resetPeer: {after: 200ms}}]");
        try (Socket c = connect(port)) {
            c.setSoTimeout(600);
            // Silent for three times the timeout: Toxiproxy's reset_peer waits for data, so do we.
            assertThatThrownBy(() -> c.getInputStream().read()).isInstanceOf(java.net.SocketTimeoutException.class);
            c.setSoTimeout(10_000);
            roundTripMillis(c);
            assertThatThrownBy(() -> c.getInputStream().read())
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
        assertThat(sidecar.engine().ruleStats().get("rst").injected.sum()).isEqualTo(1);
    }

    @Test
    void timeoutClosesOnlyAfterTheStreamWasSilentForItsDuration() throws Exception {
        int port = start(StreamPeer.echo(), "[{name: to, stream: upstream, timeout: {after: 400ms}}]");
        try (Socket c = connect(port)) {
            // A byte every 100 ms for 1.2 s, three times the timeout: every chunk starts the clock over.
            for (int i = 0; i < 12; i++) {
                c.getOutputStream().write('x');
                Thread.sleep(100);
            }
            c.setSoTimeout(50);
            assertThatThrownBy(() -> c.getInputStream().read()).as("still open, nothing echoed")
                    .isInstanceOf(java.net.SocketTimeoutException.class);
            c.setSoTimeout(10_000);
            assertThat(countUntilClosed(c.getInputStream())).as("closed once silent, nothing forwarded").isZero();
        }
    }

    @Test
    void downDiscardsWhileInPlaceAndItsRemovalClosesTheHoledConnection() throws Exception {
        int port = start(StreamPeer.echo(), "[{name: hole, stream: upstream, down: {}}]");
        try (Socket c = connect(port)) {
            c.setSoTimeout(300);
            c.getOutputStream().write("lost\n".getBytes());
            assertThatThrownBy(() -> c.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            // The same listener without the rule: the fault goes, and this connection lost bytes.
            sidecar.apply("listeners: [{name: t, listen: 127.0.0.1:0, upstream: %s}]".formatted(upstream.address()));
            c.setSoTimeout(5000);
            assertThat(countUntilClosed(c.getInputStream())).isZero();
        }
        try (Socket fresh = connect(port)) {
            roundTripMillis(fresh);
        }
    }

    @Test
    void slowCloseDelaysTheEndOfStreamButNotTheData() throws Exception {
        int port = start(new StreamPeer(StreamPeer.Mode.SEND_AND_HASH, 1000, 5), "[{name: slow, slowClose: {delay: 500ms}}]");
        try (Socket c = connect(port)) {
            long start = System.nanoTime();
            c.shutdownOutput();
            InputStream in = c.getInputStream();
            byte[] buf = new byte[1000];
            int got = 0;
            while (got < 1000) {
                got += in.read(buf, got, 1000 - got);
            }
            assertThat(in.read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(500);
        }
    }
}
