package io.faultline.sidecar.config;

/**
 * TLS termination on a listener: the sidecar is the TLS server for its clients, with this certificate
 * and key (PEM files). {@link #NONE} = the listener takes plain bytes (or passes TLS through untouched).
 */
public record TlsTermination(String certFile, String keyFile) {
    public static final TlsTermination NONE = new TlsTermination(null, null);

    public boolean enabled() {
        return certFile != null;
    }
}
