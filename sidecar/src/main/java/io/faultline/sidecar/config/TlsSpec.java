package io.faultline.sidecar.config;

/** TLS origination settings for a {@code tls://} upstream. Hostname verification is always on. */
public record TlsSpec(String caFile, String serverName) {
    public static final TlsSpec DEFAULT = new TlsSpec(null, null);
}
