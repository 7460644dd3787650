package io.faultline.sidecar.config;

/**
 * Where a listener forwards to, in fault's mapping grammar: {@code host:port}, {@code tls://host:port}
 * (TLS originated by the sidecar) or {@code http://host:port} (HTTP-aware listener).
 */
public record Upstream(String scheme, HostPort address) {
    public static final String ACCEPTED = "host:port, tls://host:port or http://host:port";

    public static Upstream parse(String text) {
        String s = text == null ? "" : text.trim();
        String scheme = "tcp";
        int sep = s.indexOf("://");
        if (sep >= 0) {
            scheme = s.substring(0, sep);
            s = s.substring(sep + 3);
            if (!scheme.equals("tcp") && !scheme.equals("tls") && !scheme.equals("http")) {
                throw new IllegalArgumentException("'" + text + "' has scheme '" + scheme + "'; expected " + ACCEPTED);
            }
        }
        HostPort hp = HostPort.parse(s);
        if (hp.port() == 0) {
            throw new IllegalArgumentException("'" + text + "' has port 0; an upstream needs a real port");
        }
        return new Upstream(scheme, hp);
    }

    public boolean tls() {
        return scheme.equals("tls");
    }

    @Override
    public String toString() {
        return scheme.equals("tcp") ? address.toString() : scheme + "://" + address;
    }
}
