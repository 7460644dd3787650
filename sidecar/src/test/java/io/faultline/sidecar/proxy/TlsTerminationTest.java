package io.faultline.sidecar.proxy;

import static io.faultline.sidecar.testing.InProcessSidecar.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.testing.InProcessSidecar;
import io.faultline.sidecar.testing.StreamPeer;
import io.faultline.sidecar.testing.TestPki;
import io.faultline.sidecar.testing.Wire;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tcp listeners with terminateTls: a real TLS client, the sidecar as TLS server, a plain upstream. */
class TlsTerminationTest {
    @TempDir
    Path dir;
    private final TestPki pki = new TestPki();
    private Path certFile;
    private Path keyFile;
    private InProcessSidecar sidecar;
    private StreamPeer upstream;

    TlsTerminationTest() throws Exception {
    }

    @BeforeEach
    void setUp() throws Exception {
        certFile = dir.resolve("tls.crt");
        keyFile = dir.resolve("tls.key");
        TestPki.writePem(pki.server("one.test"), certFile, keyFile);
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(5);
    }

    @AfterEach
    void tearDown() throws Exception {
        sidecar.close();
        upstream.close();
    }

    private int startTerminating(String rules) throws Exception {
        sidecar.apply("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: %s,
                             terminateTls: {certFile: "%s", keyFile: "%s"}}]
                rules: %s
                """.formatted(upstream.address(), certFile, keyFile, rules));
        return sidecar.port("t");
    }

    @Test
    void aTlsClientTalksToAPlainUpstreamThroughTheTerminatingListener() throws Exception {
        int port = startTerminating("[]");
        try (SSLSocket c = pki.connect(port)) {
            c.startHandshake();
            assertThat(TestPki.peerSubject(c)).isEqualTo("CN=one.test");
            Wire.roundTripMillis(c); // checks the echo
            byte[] big = new byte[200_000];
            new java.util.SplittableRandom(1).nextBytes(big);
            c.getOutputStream().write(big);
            byte[] back = c.getInputStream().readNBytes(big.length);
            assertThat(back).isEqualTo(big);
        }
        StreamPeer.Exchange seen = upstream.exchange(0, 10, TimeUnit.SECONDS);
        assertThat(seen.received()).as("the upstream got plaintext: exactly what the client wrote")
                .isEqualTo(5 + 200_000);
    }

    @Test
    void faultsSeePlaintextNotTlsRecords() throws Exception {
        // limitData counts bytes: 12 plaintext bytes arrive whole, a TLS record would not fit in 12.
        int port = startTerminating("[{name: cut, stream: downstream, limitData: {bytes: 12}}]");
        try (SSLSocket c = pki.connect(port)) {
            c.getOutputStream().write("0123456789abcdefghij".getBytes());
            c.getOutputStream().flush();
            InputStream in = c.getInputStream();
            byte[] got = new byte[64];
            int n = 0;
            int r;
            try {
                while ((r = in.read(got, n, got.length - n)) > 0) {
                    n += r;
                }
            } catch (java.net.SocketException | javax.net.ssl.SSLException closed) {
                // the close may arrive without close_notify
            }
            assertThat(new String(got, 0, n)).isEqualTo("0123456789ab");
        }
    }

    @Test
    void aChangedCertificateServesNewConnectionsAndOpenOnesKeepWorking() throws Exception {
        sidecar.engine().checkCertificatesEvery(Duration.ofMillis(50));
        int port = startTerminating("[]");
        try (SSLSocket old = pki.connect(port)) {
            old.startHandshake();
            assertThat(TestPki.peerSubject(old)).isEqualTo("CN=one.test");

            TestPki.writePem(pki.server("two.test"), certFile, keyFile);
            eventually(5_000, () -> assertThat(subjectOfNewConnection(port)).isEqualTo("CN=two.test"));

            Wire.roundTripMillis(old);
            assertThat(TestPki.peerSubject(old)).isEqualTo("CN=one.test");
        }
        ListenerStats stats = sidecar.engine().listenerStats().get("t");
        // A check between the key's and the certificate's replacement may count one failure (a
        // mismatched pair); the good pair is loaded at the next check all the same.
        assertThat(stats.certificateReloads.sum()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aBrokenNewFileKeepsTheGoodCertificateUntilAGoodOneArrives() throws Exception {
        sidecar.engine().checkCertificatesEvery(Duration.ofMillis(50));
        int port = startTerminating("[]");
        ListenerStats stats = sidecar.engine().listenerStats().get("t");

        TestPki.replace(certFile, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        eventually(5_000, () -> assertThat(stats.certificateReloadFailures.sum()).isEqualTo(1));
        assertThat(subjectOfNewConnection(port)).isEqualTo("CN=one.test");

        // A key that belongs to another certificate is refused as well.
        var other = pki.server("other.test");
        TestPki.replace(certFile, pki.server("three.test").getCertificatePathPEM());
        TestPki.replace(keyFile, other.getPrivateKeyPEM());
        eventually(5_000, () -> assertThat(stats.certificateReloadFailures.sum()).isGreaterThanOrEqualTo(2));
        assertThat(subjectOfNewConnection(port)).isEqualTo("CN=one.test");
        assertThat(stats.certificateReloads.sum()).isZero();

        TestPki.writePem(pki.server("four.test"), certFile, keyFile);
        eventually(5_000, () -> assertThat(subjectOfNewConnection(port)).isEqualTo("CN=four.test"));
    }

    private String subjectOfNewConnection(int port) {
        try (SSLSocket s = pki.connect(port)) {
            s.startHandshake();
            Wire.roundTripMillis(s);
            return TestPki.peerSubject(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void unusableFilesAreRefusedNamingTheFieldAndTheOldConfigStays() throws Exception {
        startTerminating("[]");
        var before = sidecar.engine().config();
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "hello");
        Path otherKey = dir.resolve("other.key");
        Files.writeString(otherKey, pki.server("other.test").getPrivateKeyPEM());
        Path rsaKey = dir.resolve("pkcs1.key");
        Files.writeString(rsaKey, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

        assertRefused(dir.resolve("missing.crt"), keyFile, "listeners[0].terminateTls.certFile", "no such file");
        assertRefused(garbage, keyFile, "listeners[0].terminateTls.certFile", "PEM certificate");
        assertRefused(certFile, dir.resolve("missing.key"), "listeners[0].terminateTls.keyFile", "no such file");
        assertRefused(certFile, garbage, "listeners[0].terminateTls.keyFile", "PKCS#8");
        assertRefused(certFile, rsaKey, "listeners[0].terminateTls.keyFile", "BEGIN RSA PRIVATE KEY");
        assertRefused(certFile, otherKey, "listeners[0].terminateTls.keyFile", "does not belong to the certificate");
        assertThat(sidecar.engine().config()).isSameAs(before);
    }

    private void assertRefused(Path cert, Path key, String field, String message) {
        assertThatThrownBy(() -> sidecar.apply("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: %s, terminateTls: {certFile: "%s", keyFile: "%s"}}]
                """.formatted(upstream.address(), cert, key)))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo(field))
                .hasMessageContaining(message);
    }
}
