package io.faultline.operator.compiler;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An outbound target in the proxy mapping grammar: {@code LISTEN_PORT=[tcp|http|tls://]HOST:PORT}, e.g.
 * {@code 15001=http://payments:80}.
 */
public record OutboundMapping(int listenPort, String scheme, String host, int port) {
    private static final Pattern GRAMMAR = Pattern.compile("^([0-9]{1,5})=(?:(tcp|http|tls)://)?([A-Za-z0-9.-]+):([0-9]{1,5})$");

    public static OutboundMapping parse(String text) {
        Matcher matcher = text == null ? null : GRAMMAR.matcher(text.trim());
        if (matcher == null || !matcher.matches()) {
            throw new IllegalArgumentException("mapping '" + text + "' does not parse; expected LISTEN_PORT=[tcp|http|tls://]HOST:PORT,"
                    + " e.g. 15001=http://payments:80");
        }
        int listenPort = port(matcher.group(1), text, "listen port");
        int port = port(matcher.group(4), text, "upstream port");
        String scheme = matcher.group(2) == null ? "tcp" : matcher.group(2);
        return new OutboundMapping(listenPort, scheme, matcher.group(3), port);
    }

    private static int port(String digits, String text, String what) {
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("mapping '" + text + "': " + what + " " + port + " is outside 1..65535");
        }
        return port;
    }

    /** The sidecar's upstream: host:port, or tls://host:port to originate TLS. */
    public String sidecarUpstream() {
        return scheme.equals("tls") ? "tls://" + host + ":" + port : host + ":" + port;
    }

    /** The sidecar's protocol for this listener. */
    public String sidecarProtocol() {
        return scheme.equals("http") ? "http" : "tcp";
    }
}
