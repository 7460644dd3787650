package io.faultline.sidecar.config;

import java.util.List;

/**
 * TLS termination on a listener: the sidecar is the TLS server for its clients, with this certificate
 * and key (PEM files). {@code alpn}: the protocols offered to clients by ALPN, in order of preference
 * ({@value #H2}, {@value #HTTP_1_1}; http listeners only, empty = no ALPN). {@link #NONE} = the listener
 * takes plain bytes (or passes TLS through untouched).
 */
public record TlsTermination(String certFile, String keyFile, List<String> alpn) {
    public static final String H2 = "h2";
    public static final String HTTP_1_1 = "http/1.1";
    /** What an http listener offers unless told otherwise. */
    public static final List<String> HTTP_DEFAULT_ALPN = List.of(H2, HTTP_1_1);
    public static final TlsTermination NONE = new TlsTermination(null, null);

    public TlsTermination {
        alpn = List.copyOf(alpn);
    }

    /** Without ALPN (tcp listeners). */
    public TlsTermination(String certFile, String keyFile) {
        this(certFile, keyFile, List.of());
    }

    public boolean enabled() {
        return certFile != null;
    }

    public boolean offersH2() {
        return alpn.contains(H2);
    }
}
