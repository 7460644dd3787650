package io.faultline.operator.certs;

import java.security.cert.X509Certificate;
import java.time.Instant;

/** A serving certificate in PEM: the CA that signed it (the caBundle), the certificate and its private key. */
public record ServingCertificate(String caPem, String certificatePem, String keyPem) {

    public Instant notAfter() {
        return certificate().getNotAfter().toInstant();
    }

    public X509Certificate certificate() {
        return CertificateAuthority.readCertificate(certificatePem);
    }

    /** True when the certificate ends within {@code renewBefore} of {@code now} (or has ended). */
    public boolean dueForRenewal(Instant now, java.time.Duration renewBefore) {
        return !now.plus(renewBefore).isBefore(notAfter());
    }
}
