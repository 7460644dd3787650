package io.faultline.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.testing.InProcessSidecar;
import io.faultline.sidecar.testing.StreamPeer;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** 64 MiB each way through the proxy, SHA-256 compared at both ends, with and without faults. */
class ProxyByteIntegrityTest {
    static final long SIZE = 64L << 20;

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

    /** Client half of one bidirectional exchange: what it sent and what it received, hashed. */
    record ClientSide(String sentSha, long received, String receivedSha) {
    }

    static ClientSide exchange(ExecutorService pool, int port, long size, long seed) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(120_000);
            Future<String> sender = pool.submit(() -> {
                String sha = StreamPeer.sendPattern(s.getOutputStream(), size, seed);
                s.shutdownOutput();
                return sha;
            });
            long[] count = new long[1];
            String receivedSha = StreamPeer.hashUntilEnd(s.getInputStream(), count);
            return new ClientSide(sender.get(120, TimeUnit.SECONDS), count[0], receivedSha);
        }
    }

    private void assertByteExact(String rules) throws Exception {
        upstream = new StreamPeer(StreamPeer.Mode.SEND_AND_HASH, SIZE, 7);
        sidecar = new InProcessSidecar(1);
        sidecar.apply("""
                version: "1"
                listeners:
                  - {name: bulk, listen: 127.0.0.1:0, upstream: %s}
                rules: %s
                """.formatted(upstream.address(), rules));
        ClientSide client = exchange(pool, sidecar.port("bulk"), SIZE, 11);
        StreamPeer.Exchange server = upstream.exchange(0, 120, TimeUnit.SECONDS);

        assertThat(server.received()).as("bytes client -> upstream").isEqualTo(SIZE);
        assertThat(server.receivedSha256()).as("sha-256 client -> upstream").isEqualTo(client.sentSha());
        assertThat(client.received()).as("bytes upstream -> client").isEqualTo(SIZE);
        assertThat(client.receivedSha()).as("sha-256 upstream -> client").isEqualTo(server.sentSha256());
    }

    @Test
    void passThroughIsByteExactBothWays() throws Exception {
        assertByteExact("[]");
    }

    @Test
    void latencyWithJitterKeepsEveryByteInOrderBothWays() throws Exception {
        assertByteExact("""
                [{name: lat, stream: both, latency: {fixed: 1ms, jitter: 1ms, distribution: normal}}]""");
    }
}
