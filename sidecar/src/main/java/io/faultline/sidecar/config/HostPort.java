package io.faultline.sidecar.config;

/** A host (name, IPv4, or bracketed IPv6) and a port; port 0 asks for an ephemeral port. */
public record HostPort(String host, int port) {
    public static final String ACCEPTED = "host:port, e.g. 127.0.0.1:15001, payments.shop.svc:8080 or [::1]:80";

    public static HostPort parse(String text) {
        String s = text == null ? "" : text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not " + ACCEPTED);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "': put an IPv6 address in brackets, e.g. [::1]:80");
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9._:%-]+")) {
            throw new IllegalArgumentException("'" + text + "' has an invalid host; expected " + ACCEPTED);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has an invalid port; expected a number 0-65535");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "' has port " + port + " out of range 0-65535");
        }
        return new HostPort(host, port);
    }

    /*
     * equals and hashCode by hand: the record's generated ones link through java.lang.runtime.ObjectMethods on their
     * first call, which spins ~60 method-handle classes. Every config edit compares listen addresses
     * (ListenerSpec.needsRebind), so each sidecar paid that on its first edit: ~40 ms of CPU with C1 only, ~100 ms with
     * the default tiered JIT (measured in BENCHMARKS.md, operator propagation), times every sidecar an edit reaches.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof HostPort other && port == other.port && host.equals(other.host);
    }

    @Override
    public int hashCode() {
        return 31 * host.hashCode() + port;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
