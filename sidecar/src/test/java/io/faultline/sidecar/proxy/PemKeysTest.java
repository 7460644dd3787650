package io.faultline.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.junit.jupiter.api.Test;

/** The SEC1 corners a real handshake test does not reach: missing and explicit curve parameters. */
class PemKeysTest {
    private static final BigInteger D = new BigInteger("7f3a5c1e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3", 16);

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    @Test
    void aSec1KeyWithANamedCurveBecomesThePkcs8KeyTheJdkReads() throws Exception {
        byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, D,
                org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1).getEncoded();
        PemKeys.Pkcs8 key = PemKeys.pkcs8("k.pem", pem("EC PRIVATE KEY", sec1));
        assertThat(key.label()).isEqualTo("EC PRIVATE KEY");
        ECPrivateKey read = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(key.der()));
        assertThat(read.getS()).isEqualTo(D);
        assertThat(read.getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    }

    @Test
    void aSec1KeyWithoutItsCurveOrWithExplicitParametersIsRefusedSayingWhy() throws Exception {
        byte[] noCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(256, D).getEncoded();
        assertThatThrownBy(() -> PemKeys.pkcs8("k.pem", pem("EC PRIVATE KEY", noCurve)))
                .hasMessageStartingWith("the EC key in 'k.pem' does not name its curve");
        byte[] explicit = new org.bouncycastle.asn1.sec.ECPrivateKey(256, D,
                ECNamedCurveTable.getByName("P-256")).getEncoded();
        assertThatThrownBy(() -> PemKeys.pkcs8("k.pem", pem("EC PRIVATE KEY", explicit)))
                .hasMessageStartingWith("the EC key in 'k.pem' has explicit curve parameters")
                .hasMessageContaining("-param_enc named_curve");
        assertThatThrownBy(() -> PemKeys.pkcs8("k.pem", pem("EC PRIVATE KEY", new byte[] {0x04, 0x01, 0x00})))
                .hasMessageStartingWith("the EC PRIVATE KEY in 'k.pem' is not a SEC1 key");
        assertThatThrownBy(() -> PemKeys.pkcs8("k.pem", "-----BEGIN PRIVATE KEY-----\nAAAAA\n-----END PRIVATE KEY-----\n"))
                .hasMessage("the PRIVATE KEY block in 'k.pem' is not valid base64");
    }
}
