package io.faultline.sidecar.config;

import java.time.Duration;

/** One listener: accepts on {@code listen} and forwards every connection to {@code upstream}. */
public record ListenerSpec(
        String name,
        HostPort listen,
        Upstream upstream,
        Protocol protocol,
        boolean enabled,
        Duration connectTimeout,
        int maxConnections,
        TlsSpec tls) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public ListenerSpec withEnabled(boolean on) {
        return new ListenerSpec(name, listen, upstream, protocol, on, connectTimeout, maxConnections, tls);
    }

    public ListenerSpec withListen(HostPort address) {
        return new ListenerSpec(name, address, upstream, protocol, enabled, connectTimeout, maxConnections, tls);
    }

    public ListenerSpec withUpstream(Upstream target) {
        return new ListenerSpec(name, listen, target, protocol, enabled, connectTimeout, maxConnections, tls);
    }

    /** Whether switching from {@code other} to this needs the listening socket to be bound again. */
    public boolean needsRebind(ListenerSpec other) {
        return !listen.equals(other.listen) || enabled != other.enabled || protocol != other.protocol;
    }
}
