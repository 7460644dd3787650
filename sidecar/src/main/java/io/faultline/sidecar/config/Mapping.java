package io.faultline.sidecar.config;

/**
 * fault's proxy-mapping grammar: {@code LISTEN=UPSTREAM}, where LISTEN is a port (bound on
 * 127.0.0.1) or host:port, and UPSTREAM is host:port, tls://host:port or http://host:port.
 * Examples: {@code 15001=payments:8080}, {@code 15002=tls://db:5432}, {@code 0.0.0.0:15003=http://svc:80}.
 */
public final class Mapping {
    public static final String ACCEPTED =
            "LISTEN=UPSTREAM, e.g. 15001=payments:8080, 15002=tls://db:5432 or 127.0.0.1:15003=http://svc:80";

    private Mapping() {
    }

    public static ListenerSpec parse(String text) {
        String s = text == null ? "" : text.trim();
        int eq = s.indexOf('=');
        if (eq <= 0 || eq == s.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not a mapping; expected " + ACCEPTED);
        }
        String listenPart = s.substring(0, eq).trim();
        HostPort listen = listenPart.matches("\\d+")
                ? HostPort.parse("127.0.0.1:" + listenPart)
                : HostPort.parse(listenPart);
        Upstream upstream = Upstream.parse(s.substring(eq + 1));
        Protocol protocol = upstream.scheme().equals("http") ? Protocol.HTTP : Protocol.TCP;
        String name = "map-" + listen.port();
        return new ListenerSpec(name, listen, upstream, protocol, true,
                ListenerSpec.DEFAULT_CONNECT_TIMEOUT, 0, TlsSpec.DEFAULT);
    }
}
