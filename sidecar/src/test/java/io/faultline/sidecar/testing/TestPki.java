package io.faultline.sidecar.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/** A test CA, server certificates for "localhost" written as PEM files, and TLS clients and servers. */
public final class TestPki {
    private final X509Bundle ca;

    static {
        // Netty's JDK server context looks for BouncyCastle when first loaded; pkitesting puts it on the
        // test classpath, and verifying its signed jars takes seconds on a busy machine. Pay that here,
        // not inside a config apply that the tests bound to 10 s (production has no BouncyCastle).
        try {
            Class.forName("io.netty.handler.ssl.JdkSslServerContext", true, TestPki.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public TestPki() throws Exception {
        ca = new CertificateBuilder().subject("CN=Faultline Test CA").setIsCertificateAuthority(true).buildSelfSigned();
    }

    /** A server certificate for localhost and 127.0.0.1 with subject {@code CN=cn}. */
    public X509Bundle server(String cn) throws Exception {
        return new CertificateBuilder().subject("CN=" + cn).addSanDnsName("localhost").addSanIpAddress("127.0.0.1")
                .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature, CertificateBuilder.KeyUsage.keyEncipherment)
                .buildIssuedBy(ca);
    }

    /** As {@link #server(String)}, with a key of {@code algorithm} (e.g. an EC P-256 key). */
    public X509Bundle server(String cn, CertificateBuilder.Algorithm algorithm) throws Exception {
        return new CertificateBuilder().subject("CN=" + cn).addSanDnsName("localhost").addSanIpAddress("127.0.0.1")
                .algorithm(algorithm)
                .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature, CertificateBuilder.KeyUsage.keyEncipherment)
                .buildIssuedBy(ca);
    }

    /** The CA certificate as a PEM file (a {@code tls.caFile} for upstreams this CA issued). */
    public Path writeCa(Path file) throws Exception {
        Files.writeString(file, ca.getCertificatePEM(), StandardCharsets.US_ASCII);
        return file;
    }

    /** Trust in this CA only, for Netty client contexts. */
    public javax.net.ssl.TrustManagerFactory trustManagerFactory() throws Exception {
        return ca.toTrustManagerFactory();
    }

    /** Writes the certificate chain and the PKCS#8 key, each replaced atomically (as a Secret volume does). */
    public static void writePem(X509Bundle cert, Path certFile, Path keyFile) throws Exception {
        replace(keyFile, cert.getPrivateKeyPEM());
        replace(certFile, cert.getCertificatePathPEM());
    }

    public static void replace(Path file, String content) throws Exception {
        Path tmp = Files.createTempFile(file.getParent(), "next", ".pem");
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A client context that trusts this CA only. */
    public SSLContext clientContext() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
        return ctx;
    }

    /** A connected client socket, handshake not yet started, with hostname verification on. */
    public SSLSocket connect(int port) throws Exception {
        SSLSocket s = (SSLSocket) clientContext().getSocketFactory().createSocket("localhost", port);
        var params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(params);
        s.setSoTimeout(10_000);
        return s;
    }

    /** The subject of the certificate the server presented. */
    public static String peerSubject(SSLSocket s) throws Exception {
        return ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0])
                .getSubjectX500Principal().getName();
    }

    /** A TLS echo server on 127.0.0.1 (thread per connection) that counts connections and bytes. */
    public static final class TlsEchoServer implements AutoCloseable {
        private final ServerSocket server;
        public final AtomicInteger accepted = new AtomicInteger();
        public final AtomicLong bytesReceived = new AtomicLong();

        public TlsEchoServer(X509Bundle cert) throws Exception {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(cert.toKeyManagerFactory().getKeyManagers(), null, null);
            server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::serve, "tls-echo");
            t.setDaemon(true);
            t.start();
        }

        public int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    Thread t = new Thread(() -> echo(s), "tls-echo-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (Exception closed) {
                    return;
                }
            }
        }

        private void echo(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[4096];
                int r;
                while ((r = in.read(buf)) > 0) {
                    bytesReceived.addAndGet(r);
                    out.write(buf, 0, r);
                    out.flush();
                }
            } catch (Exception ignored) {
                // a failed or cut handshake is what some tests cause
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }
}
