package io.faultline.operator.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CertificateStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final CertificateStore.Policy POLICY = new CertificateStore.Policy(List.of("faultline-webhook.faultline-system.svc"),
            List.of(), Duration.ofDays(3650), Duration.ofDays(365), Duration.ofDays(30));

    @Test
    void anEmptySecretGetsANewCaAndAServingCertificateSignedByIt() throws Exception {
        CertificateStore.Outcome outcome = CertificateStore.decide(Map.of(), POLICY, T0);

        assertThat(outcome.secretData()).containsOnlyKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
        X509Certificate ca = CertificateAuthority.readCertificate(outcome.secretData().get("ca.crt"));
        X509Certificate serving = outcome.serving().certificate();
        serving.verify(ca.getPublicKey()); // throws unless the CA signed it
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(serving.getBasicConstraints()).isEqualTo(-1);
        assertThat(serving.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
        assertThat(outcome.serving().notAfter()).isEqualTo(T0.plus(Duration.ofDays(365)));
    }

    @Test
    void aValidSecretIsReusedAsIs() {
        Map<String, String> data = CertificateStore.decide(Map.of(), POLICY, T0).secretData();

        CertificateStore.Outcome later = CertificateStore.decide(data, POLICY, T0.plus(Duration.ofDays(300)));

        assertThat(later.secretData()).isNull();
        assertThat(later.serving().certificatePem()).isEqualTo(data.get("tls.crt"));
    }

    @Test
    void aServingCertificateDueForRenewalIsReissuedByTheSameCa() throws Exception {
        Map<String, String> data = CertificateStore.decide(Map.of(), POLICY, T0).secretData();
        Instant due = T0.plus(Duration.ofDays(336)); // 29 days before the end

        CertificateStore.Outcome renewed = CertificateStore.decide(data, POLICY, due);

        assertThat(renewed.secretData()).isNotNull();
        assertThat(renewed.secretData().get("ca.crt")).isEqualTo(data.get("ca.crt"));
        assertThat(renewed.secretData().get("tls.crt")).isNotEqualTo(data.get("tls.crt"));
        assertThat(renewed.serving().notAfter()).isEqualTo(due.plus(Duration.ofDays(365)));
        renewed.serving().certificate().verify(CertificateAuthority.readCertificate(data.get("ca.crt")).getPublicKey());
    }

    @Test
    void aCaDueForRenewalIsReplacedWithEverythingElse() {
        CertificateStore.Policy shortCa = new CertificateStore.Policy(POLICY.dnsNames(), List.of(), Duration.ofDays(60),
                Duration.ofDays(20), Duration.ofDays(30));
        Map<String, String> data = CertificateStore.decide(Map.of(), shortCa, T0).secretData();

        CertificateStore.Outcome next = CertificateStore.decide(data, shortCa, T0.plus(Duration.ofDays(31)));

        assertThat(next.secretData().get("ca.crt")).isNotEqualTo(data.get("ca.crt"));
    }

    @Test
    void aServingCertificateNeverOutlivesItsCa() {
        CertificateStore.Policy shortCa = new CertificateStore.Policy(POLICY.dnsNames(), List.of(), Duration.ofDays(60),
                Duration.ofDays(365), Duration.ofDays(7));

        CertificateStore.Outcome outcome = CertificateStore.decide(Map.of(), shortCa, T0);

        assertThat(outcome.serving().notAfter()).isEqualTo(T0.plus(Duration.ofDays(60)));
    }

    @Test
    void aChangedServiceNameGetsANewServingCertificate() {
        Map<String, String> data = CertificateStore.decide(Map.of(), POLICY, T0).secretData();
        CertificateStore.Policy renamed = new CertificateStore.Policy(List.of("injector.faultline-system.svc"), List.of(),
                POLICY.caValidity(), POLICY.certValidity(), POLICY.renewBefore());

        CertificateStore.Outcome outcome = CertificateStore.decide(data, renamed, T0.plus(Duration.ofDays(1)));

        assertThat(outcome.secretData().get("ca.crt")).isEqualTo(data.get("ca.crt"));
        assertThat(outcome.secretData().get("tls.crt")).isNotEqualTo(data.get("tls.crt"));
    }

    @Test
    void garbageInTheSecretIsReplacedNotServed() {
        Map<String, String> data = new HashMap<>(Map.of("ca.crt", "not a pem", "ca.key", "nope", "tls.crt", "x", "tls.key", "y"));

        CertificateStore.Outcome outcome = CertificateStore.decide(data, POLICY, T0);

        assertThat(outcome.secretData().get("ca.crt")).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void aCertManagerSecretIsReadAndMissingKeysAreNamed() {
        Map<String, String> data = CertificateStore.decide(Map.of(), POLICY, T0).secretData();

        assertThat(CertificateStore.external(data, "faultline-system/certs").certificatePem()).isEqualTo(data.get("tls.crt"));
        assertThatThrownBy(() -> CertificateStore.external(Map.of("tls.crt", "x"), "faultline-system/certs"))
                .hasMessageContaining("Secret faultline-system/certs must hold tls.crt, tls.key and ca.crt");
    }
}
