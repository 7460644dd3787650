package io.faultline.sidecar.http;

import io.faultline.sidecar.config.ListenerSpec;
import java.time.Duration;
import java.util.Objects;

/**
 * Per-listener settings of an http proxy connection.
 * {@code responseTimeout}: from the request's last byte sent to the response head (0 = none).
 * {@code idleTimeout}: a client connection with no request in progress is closed after it (0 = never).
 * {@code observer}: told about each request's phases (recording, histograms).
 * {@code tunnels}: where a connection goes after a 101 Switching Protocols (WebSocket); null = 101 refused (502).
 */
public record HttpConnectionOptions(Duration responseTimeout, Duration idleTimeout, ExchangeObserver observer,
                                    UpgradeTunnels tunnels) {
    public static final HttpConnectionOptions DEFAULTS = new HttpConnectionOptions(
            ListenerSpec.DEFAULT_RESPONSE_TIMEOUT, ListenerSpec.DEFAULT_IDLE_TIMEOUT, ExchangeObserver.NONE, null);

    public HttpConnectionOptions {
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(observer, "observer");
    }

    /** The listener's own settings (timeouts); no observer, no upgrades. */
    public static HttpConnectionOptions of(ListenerSpec spec) {
        return DEFAULTS.withResponseTimeout(spec.responseTimeout()).withIdleTimeout(spec.idleTimeout());
    }

    public HttpConnectionOptions withResponseTimeout(Duration timeout) {
        return new HttpConnectionOptions(timeout, idleTimeout, observer, tunnels);
    }

    public HttpConnectionOptions withIdleTimeout(Duration timeout) {
        return new HttpConnectionOptions(responseTimeout, timeout, observer, tunnels);
    }

    public HttpConnectionOptions withObserver(ExchangeObserver o) {
        return new HttpConnectionOptions(responseTimeout, idleTimeout, o, tunnels);
    }

    public HttpConnectionOptions withTunnels(UpgradeTunnels t) {
        return new HttpConnectionOptions(responseTimeout, idleTimeout, observer, t);
    }
}
