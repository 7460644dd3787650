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

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
