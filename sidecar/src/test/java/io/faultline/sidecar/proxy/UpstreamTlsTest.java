package io.faultline.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.testing.InProcessSidecar;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** tls:// upstreams: the sidecar originates TLS, trusts the given CA and verifies the host name. */
class UpstreamTlsTest {
    private InProcessSidecar sidecar;
    private SSLServerSocket server;

    @AfterEach
    void tearDown() throws Exception {
        if (sidecar != null) {
            sidecar.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A TLS echo server whose certificate, issued by {@code ca}, names {@code dnsName}. */
    private int startTlsEcho(X509Bundle ca, String dnsName) throws Exception {
        X509Bundle cert = new CertificateBuilder().subject("CN=" + dnsName).addSanDnsName(dnsName)
                .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature, CertificateBuilder.KeyUsage.keyEncipherment)
                .buildIssuedBy(ca);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(cert.toKeyManagerFactory().getKeyManagers(), null, null);
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[4096];
                    int r;
                    while ((r = in.read(buf)) > 0) {
                        out.write(buf, 0, r);
                        out.flush();
                    }
                } catch (Exception ignored) {
                    // handshake failures are what some tests expect
                }
            }
        }, "tls-echo");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private static X509Bundle newCa() throws Exception {
        return new CertificateBuilder().subject("CN=Faultline Test CA").setIsCertificateAuthority(true).buildSelfSigned();
    }

    @Test
    void originatesTlsToAVerifiedUpstream() throws Exception {
        X509Bundle ca = newCa();
        int port = startTlsEcho(ca, "localhost");
        File caFile = ca.toTempCertChainPem();
        sidecar = new InProcessSidecar(1);
        sidecar.apply("""
                listeners: [{name: db, listen: 127.0.0.1:0, upstream: "tls://localhost:%d", tls: {caFile: "%s"}}]
                """.formatted(port, caFile.getAbsolutePath()));
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("db"))) {
            c.setSoTimeout(5_000);
            assertThat(io.faultline.sidecar.testing.Wire.roundTripMillis(c)).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void refusesAnUpstreamWhoseCertificateNamesAnotherHost() throws Exception {
        X509Bundle ca = newCa();
        int port = startTlsEcho(ca, "not-this-host.example");
        File caFile = ca.toTempCertChainPem();
        sidecar = new InProcessSidecar(1);
        sidecar.apply("""
                listeners: [{name: db, listen: 127.0.0.1:0, upstream: "tls://localhost:%d", tls: {caFile: "%s"}}]
                """.formatted(port, caFile.getAbsolutePath()));
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("db"))) {
            c.setSoTimeout(5_000);
            c.getOutputStream().write("secret\n".getBytes());
            assertThat(io.faultline.sidecar.testing.Wire.readOrReset(c.getInputStream())).as("no bytes through a failed handshake")
                    .isEqualTo(-1);
        }
    }

    @Test
    void anUnreadableCaFileIsRejectedNamingTheField() throws Exception {
        sidecar = new InProcessSidecar(1);
        assertThatThrownBy(() -> sidecar.apply("""
                listeners: [{name: db, listen: 127.0.0.1:0, upstream: "tls://localhost:5432", tls: {caFile: /nonexistent/ca.pem}}]
                """))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners[0].tls.caFile");
        assertThat(sidecar.engine().config().listeners()).isEmpty();
    }
}
