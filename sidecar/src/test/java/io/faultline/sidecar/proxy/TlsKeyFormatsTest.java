package io.faultline.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.testing.InProcessSidecar;
import io.faultline.sidecar.testing.StreamPeer;
import io.faultline.sidecar.testing.TestPki;
import io.faultline.sidecar.testing.Wire;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * terminateTls key files in the formats openssl writes: PKCS#1 RSA and SEC1 EC keys serve TLS
 * (converted to PKCS#8 in the sidecar); encrypted and foreign keys are refused with a message that
 * names the file, the key type found and the command that converts it.
 */
class TlsKeyFormatsTest {
    @TempDir
    Path dir;
    private final TestPki pki = new TestPki();
    private InProcessSidecar sidecar;
    private StreamPeer upstream;

    TlsKeyFormatsTest() throws Exception {
    }

    @BeforeEach
    void setUp() throws Exception {
        upstream = StreamPeer.echo();
        sidecar = new InProcessSidecar(5);
    }

    @AfterEach
    void tearDown() throws Exception {
        sidecar.close();
        upstream.close();
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** The key as `openssl genrsa` (1.x) / `openssl rsa -traditional` writes it. */
    private static String pkcs1(X509Bundle bundle) throws Exception {
        assertThat(bundle.getKeyPair().getPrivate().getAlgorithm()).isEqualTo("RSA");
        byte[] pkcs1 = PrivateKeyInfo.getInstance(bundle.getKeyPair().getPrivate().getEncoded())
                .parsePrivateKey().toASN1Primitive().getEncoded();
        return pem("RSA PRIVATE KEY", pkcs1);
    }

    /** The key as `openssl ecparam -genkey -name prime256v1` writes it: EC PARAMETERS, then SEC1 with curve and public key. */
    private static String sec1(X509Bundle bundle) throws Exception {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(bundle.getKeyPair().getPrivate().getEncoded());
        ASN1ObjectIdentifier curve = ASN1ObjectIdentifier.getInstance(info.getPrivateKeyAlgorithm().getParameters());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        DERBitString publicKey = new DERBitString(SubjectPublicKeyInfo.getInstance(
                bundle.getKeyPair().getPublic().getEncoded()).getPublicKeyData().getBytes());
        byte[] sec1 = new ECPrivateKey(256, inner.getKey(), publicKey, curve).getEncoded();
        return pem("EC PARAMETERS", curve.getEncoded()) + pem("EC PRIVATE KEY", sec1);
    }

    private int serve(X509Bundle bundle, String keyPem) throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), bundle.getCertificatePathPEM());
        Path key = Files.writeString(dir.resolve("tls.key"), keyPem);
        sidecar.apply("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: %s, terminateTls: {certFile: "%s", keyFile: "%s"}}]
                """.formatted(upstream.address(), cert, key));
        return sidecar.port("t");
    }

    private String handshakeSubject(int port) throws Exception {
        try (SSLSocket s = pki.connect(port)) {
            s.startHandshake();
            Wire.roundTripMillis(s);
            return TestPki.peerSubject(s);
        }
    }

    @Test
    void aPkcs1RsaKeyServesTls() throws Exception {
        X509Bundle bundle = pki.server("rsa1.test", CertificateBuilder.Algorithm.rsa2048);
        assertThat(pkcs1(bundle)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(handshakeSubject(serve(bundle, pkcs1(bundle)))).isEqualTo("CN=rsa1.test");
    }

    @Test
    void aSec1EcKeyAfterItsParametersServesTls() throws Exception {
        X509Bundle bundle = pki.server("ec.test", CertificateBuilder.Algorithm.ecp256);
        assertThat(handshakeSubject(serve(bundle, sec1(bundle)))).isEqualTo("CN=ec.test");
    }

    @Test
    void aPkcs8EcKeyStillServesTls() throws Exception {
        X509Bundle bundle = pki.server("ec8.test", CertificateBuilder.Algorithm.ecp256);
        assertThat(handshakeSubject(serve(bundle, bundle.getPrivateKeyPEM()))).isEqualTo("CN=ec8.test");
    }

    @Test
    void aConvertedKeyOfAnotherCertificateIsStillRefused() throws Exception {
        X509Bundle bundle = pki.server("mine.test", CertificateBuilder.Algorithm.rsa2048);
        X509Bundle other = pki.server("other.test", CertificateBuilder.Algorithm.rsa2048);
        assertRefused(bundle, pkcs1(other), "does not belong to the certificate");
    }

    @Test
    void encryptedAndForeignKeysAreRefusedWithTheTypeAndTheConversionCommand() throws Exception {
        X509Bundle bundle = pki.server("enc.test");
        Path key = dir.resolve("tls.key");
        String command = "openssl pkcs8 -topk8 -nocrypt -in '" + key + "' -out key.pem";
        assertRefused(bundle, pem("ENCRYPTED PRIVATE KEY", new byte[] {0x30, 0}),
                "the key in '" + key + "' is an encrypted PKCS#8 key (BEGIN ENCRYPTED PRIVATE KEY)", command);
        String legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n"
                + "AAAA\n-----END RSA PRIVATE KEY-----\n";
        assertRefused(bundle, legacy, "the key in '" + key + "' is a PKCS#1 RSA key encrypted with a passphrase", command);
        assertRefused(bundle, pem("DSA PRIVATE KEY", new byte[] {0x30, 0}),
                "no private key in '" + key + "' (found only BEGIN DSA PRIVATE KEY)", command);
        assertRefused(bundle, pem("OPENSSH PRIVATE KEY", new byte[] {1, 2, 3}),
                "(found only BEGIN OPENSSH PRIVATE KEY)", "ssh-keygen -p -N '' -m PKCS8");
        assertRefused(bundle, bundle.getCertificatePEM(), "(found only BEGIN CERTIFICATE)", command);
        assertRefused(bundle, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
                "(BEGIN RSA PRIVATE KEY) cannot be read");
    }

    private void assertRefused(X509Bundle bundle, String keyPem, String... messages) {
        assertThatThrownBy(() -> serve(bundle, keyPem))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo("listeners[0].terminateTls.keyFile"))
                .satisfies(e -> assertThat(e.getMessage()).contains(messages));
    }
}
