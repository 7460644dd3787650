package io.faultline.operator.certs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Decides what the webhook serves from what its Secret holds: reuse it while it is valid for the expected names and
 * not due for renewal; re-issue the serving certificate from the same CA when it is due (the caBundle stays); create a
 * new CA when there is none, it is unreadable, or the CA itself is due.
 */
public final class CertificateStore {
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String TLS_CERT = "tls.crt";
    public static final String TLS_KEY = "tls.key";

    /** What to write back (null when the Secret is fine as it is) and what to serve. */
    public record Outcome(Map<String, String> secretData, ServingCertificate serving, String action) {
    }

    public record Policy(List<String> dnsNames, List<String> ipAddresses, Duration caValidity, Duration certValidity,
            Duration renewBefore) {
    }

    private CertificateStore() {
    }

    public static Outcome decide(Map<String, String> data, Policy policy, Instant now) {
        CertificateAuthority ca = null;
        if (data != null && data.containsKey(CA_CERT) && data.containsKey(CA_KEY)) {
            try {
                ca = CertificateAuthority.fromPem(data.get(CA_CERT), data.get(CA_KEY));
                if (!now.plus(policy.renewBefore()).isBefore(ca.certificate().getNotAfter().toInstant())) {
                    ca = null; // the CA itself is due
                }
            } catch (IllegalArgumentException e) {
                ca = null;
            }
        }
        if (ca != null && data.containsKey(TLS_CERT) && data.containsKey(TLS_KEY)) {
            try {
                ServingCertificate current = new ServingCertificate(data.get(CA_CERT), data.get(TLS_CERT), data.get(TLS_KEY));
                if (!current.dueForRenewal(now, policy.renewBefore()) && coversNames(current, policy.dnsNames())) {
                    return new Outcome(null, current, "reused");
                }
            } catch (IllegalArgumentException e) {
                // unreadable serving certificate: issue a new one below
            }
            return written(issue(ca, policy, now), ca, "serving certificate renewed");
        }
        CertificateAuthority fresh = CertificateAuthority.create("faultline-webhook-ca", now, policy.caValidity());
        return written(issue(fresh, policy, now), fresh, "new CA and serving certificate");
    }

    /** Reads what cert-manager wrote (tls.crt, tls.key, ca.crt); nothing is generated. */
    public static ServingCertificate external(Map<String, String> data, String secretName) {
        if (data == null || !data.containsKey(TLS_CERT) || !data.containsKey(TLS_KEY) || !data.containsKey(CA_CERT)) {
            throw new IllegalStateException("Secret " + secretName + " must hold " + TLS_CERT + ", " + TLS_KEY + " and " + CA_CERT
                    + " (cert-manager writes them); found " + (data == null ? "no data" : data.keySet()));
        }
        return new ServingCertificate(data.get(CA_CERT), data.get(TLS_CERT), data.get(TLS_KEY));
    }

    private static Outcome written(ServingCertificate serving, CertificateAuthority ca, String action) {
        Map<String, String> data = Map.of(CA_CERT, serving.caPem(), CA_KEY, ca.keyPem(), TLS_CERT, serving.certificatePem(),
                TLS_KEY, serving.keyPem());
        return new Outcome(data, serving, action);
    }

    private static ServingCertificate issue(CertificateAuthority ca, Policy policy, Instant now) {
        return ca.issue(policy.dnsNames(), policy.ipAddresses(), now, policy.certValidity());
    }

    private static boolean coversNames(ServingCertificate serving, List<String> dnsNames) {
        try {
            var names = serving.certificate().getSubjectAlternativeNames();
            if (names == null) {
                return false;
            }
            List<String> present = names.stream().filter(n -> (Integer) n.get(0) == 2).map(n -> (String) n.get(1)).toList();
            return present.containsAll(dnsNames);
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }
}
