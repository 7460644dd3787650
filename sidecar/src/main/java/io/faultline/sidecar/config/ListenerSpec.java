package io.faultline.sidecar.config;

import java.time.Duration;

/**
 * One listener: accepts on {@code listen} and forwards every connection to {@code upstream}.
 * {@code responseTimeout} (http listeners): from a request's last byte sent upstream to the
 * response head; past it the client gets 504. 0 = no limit. {@code idleTimeout} (http listeners): a
 * client connection with no request in progress is closed after it. 0 = never. {@code termination}:
 * TLS served to clients by the sidecar. {@code recording} (http listeners): exchanges kept for
 * {@code GET /v1/recordings}. {@code requestHeadTimeout} (http listeners): from the first byte of a
 * request head to its end; past it the client gets 408 and the connection closes. 0 = no limit.
 * {@code requestBodyIdleTimeout} (http listeners): the longest wait for more of a request body
 * once the proxy asked for it; past it 408 (or a close, once a response started). 0 = no limit.
 */
public record ListenerSpec(
        String name,
        HostPort listen,
        Upstream upstream,
        Protocol protocol,
        boolean enabled,
        Duration connectTimeout,
        int maxConnections,
        TlsSpec tls,
        Duration responseTimeout,
        Duration idleTimeout,
        TlsTermination termination,
        RecordingSpec recording,
        Duration requestHeadTimeout,
        Duration requestBodyIdleTimeout) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** HAProxy's recommended {@code timeout http-request}: ample for any real client, short for a slowloris. */
    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);
    /** Like the response timeout: a body sender may pause (a streaming upload), not for minutes. */
    public static final Duration DEFAULT_REQUEST_BODY_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /** The form without http settings (tcp listeners, Toxiproxy proxies). */
    public ListenerSpec(String name, HostPort listen, Upstream upstream, Protocol protocol, boolean enabled,
                        Duration connectTimeout, int maxConnections, TlsSpec tls) {
        this(name, listen, upstream, protocol, enabled, connectTimeout, maxConnections, tls, DEFAULT_RESPONSE_TIMEOUT,
                DEFAULT_IDLE_TIMEOUT, TlsTermination.NONE, RecordingSpec.OFF, DEFAULT_REQUEST_HEAD_TIMEOUT,
                DEFAULT_REQUEST_BODY_IDLE_TIMEOUT);
    }

    public ListenerSpec withEnabled(boolean on) {
        return new ListenerSpec(name, listen, upstream, protocol, on, connectTimeout, maxConnections, tls, responseTimeout,
                idleTimeout, termination, recording, requestHeadTimeout, requestBodyIdleTimeout);
    }

    public ListenerSpec withListen(HostPort address) {
        return new ListenerSpec(name, address, upstream, protocol, enabled, connectTimeout, maxConnections, tls,
                responseTimeout, idleTimeout, termination, recording, requestHeadTimeout, requestBodyIdleTimeout);
    }

    public ListenerSpec withUpstream(Upstream target) {
        return new ListenerSpec(name, listen, target, protocol, enabled, connectTimeout, maxConnections, tls,
                responseTimeout, idleTimeout, termination, recording, requestHeadTimeout, requestBodyIdleTimeout);
    }

    /** Whether switching from {@code other} to this needs the listening socket to be bound again. */
    public boolean needsRebind(ListenerSpec other) {
        return !listen.equals(other.listen) || enabled != other.enabled || protocol != other.protocol;
    }
}
