package io.faultline.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.testing.InProcessSidecar;
import io.faultline.sidecar.testing.StreamPeer;
import io.faultline.sidecar.testing.TestPki;
import io.faultline.sidecar.testing.Wire;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS through a listener without termination (L4 faults on the encrypted bytes) and the
 * tlsHandshakeFailure fault, seen by a real JDK TLS client.
 */
class TlsPassthroughTest {
    @TempDir
    Path dir;
    private final TestPki pki = new TestPki();
    private final InProcessSidecar sidecar = new InProcessSidecar(11);
    private AutoCloseable upstream;

    TlsPassthroughTest() throws Exception {
    }

    @AfterEach
    void tearDown() throws Exception {
        sidecar.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    private int passthrough(String upstreamAddress, String rules) throws Exception {
        sidecar.apply("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: %s}]
                rules: %s
                """.formatted(upstreamAddress, rules));
        return sidecar.port("t");
    }

    @Test
    void latencyDelaysTheHandshakeAndTheDataOfARealTlsConnectionEndToEnd() throws Exception {
        TestPki.TlsEchoServer server = new TestPki.TlsEchoServer(pki.server("upstream.test"));
        upstream = server;
        int port = passthrough("127.0.0.1:" + server.port(), "[{name: slow, stream: downstream, latency: {fixed: 150ms}}]");
        try (SSLSocket c = pki.connect(port)) {
            long start = System.nanoTime();
            c.startHandshake();
            long handshakeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(TestPki.peerSubject(c)).as("the upstream's own certificate").isEqualTo("CN=upstream.test");
            assertThat(handshakeMillis).as("the server's handshake flight waited").isGreaterThanOrEqualTo(150);
            assertThat(Wire.roundTripMillis(c)).as("the echo came back, late").isGreaterThanOrEqualTo(150);
        }
        assertThat(sidecar.engine().ruleStats().get("slow").injected.sum()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aHandshakeFailureAnswersTheClientHelloWithTheAlertAndForwardsNothing() throws Exception {
        StreamPeer echo = StreamPeer.echo();
        upstream = echo;
        int port = passthrough(echo.address(), "[{name: deny, tlsHandshakeFailure: {}}]");
        try (SSLSocket c = pki.connect(port)) {
            assertThatThrownBy(c::startHandshake).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("Received fatal alert: handshake_failure");
        }
        // The upstream was connected (before the client was read) and got no byte; an echoed
        // ClientHello would have reached the client as garbage, not as this alert.
        assertThat(echo.exchange(0, 10, TimeUnit.SECONDS).received()).isZero();
        assertThat(sidecar.engine().ruleStats().get("deny").injected.sum()).isEqualTo(1);
    }

    @Test
    void theAlertIsTheConfiguredOne() throws Exception {
        StreamPeer echo = StreamPeer.echo();
        upstream = echo;
        int port = passthrough(echo.address(), "[{name: old, tlsHandshakeFailure: {alert: protocol_version}}]");
        try (SSLSocket c = pki.connect(port)) {
            assertThatThrownBy(c::startHandshake).isInstanceOf(SSLException.class)
                    .hasMessageContaining("Received fatal alert: protocol_version");
        }
    }

    @Test
    void withTerminationTheSidecarsOwnHandshakeFails() throws Exception {
        StreamPeer echo = StreamPeer.echo();
        upstream = echo;
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        TestPki.writePem(pki.server("edge.test"), cert, key);
        sidecar.apply("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: %s, terminateTls: {certFile: "%s", keyFile: "%s"}}]
                rules: [{name: deny, tlsHandshakeFailure: {alert: unknown_ca}}]
                """.formatted(echo.address(), cert, key));
        try (SSLSocket c = pki.connect(sidecar.port("t"))) {
            assertThatThrownBy(c::startHandshake).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("Received fatal alert: unknown_ca");
        }
        assertThat(echo.exchange(0, 10, TimeUnit.SECONDS).received()).isZero();
        // Removing the rule lets the next connection through the terminating listener.
        sidecar.apply("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: %s, terminateTls: {certFile: "%s", keyFile: "%s"}}]
                """.formatted(echo.address(), cert, key));
        try (SSLSocket c = pki.connect(sidecar.port("t"))) {
            assertThat(Wire.roundTripMillis(c)).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void probabilityIsDrawnPerConnection() throws Exception {
        TestPki.TlsEchoServer server = new TestPki.TlsEchoServer(pki.server("upstream.test"));
        upstream = server;
        int port = passthrough("127.0.0.1:" + server.port(), "[{name: coin, probability: 0.5, tlsHandshakeFailure: {}}]");
        int connections = 40;
        int failed = 0;
        for (int i = 0; i < connections; i++) {
            try (SSLSocket c = pki.connect(port)) {
                c.startHandshake();
                Wire.roundTripMillis(c);
            } catch (SSLHandshakeException e) {
                assertThat(e).hasMessageContaining("handshake_failure");
                failed++;
            }
        }
        // Binomial(40, 0.5): mean 20, sd 3.2; 20 ± 12 is beyond 3.7 sd (fixed seed: deterministic anyway).
        assertThat(failed).isBetween(8, 32);
        assertThat(sidecar.engine().ruleStats().get("coin").injected.sum()).isEqualTo(failed);
        assertThat(sidecar.engine().ruleStats().get("coin").connections.sum()).isEqualTo(failed);
    }

    @Test
    void plainBytesPassTheHandshakeFaultUntouched() throws Exception {
        StreamPeer echo = StreamPeer.echo();
        upstream = echo;
        int port = passthrough(echo.address(), "[{name: deny, tlsHandshakeFailure: {}}]");
        try (java.net.Socket c = new java.net.Socket("127.0.0.1", port)) {
            c.setSoTimeout(10_000);
            Wire.roundTripMillis(c);
        }
        assertThat(sidecar.engine().ruleStats().get("deny").injected.sum()).isZero();
    }
}
