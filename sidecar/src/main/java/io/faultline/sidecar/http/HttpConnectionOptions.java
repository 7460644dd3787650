package io.faultline.sidecar.http;

import io.faultline.sidecar.config.ListenerSpec;
import java.time.Duration;
import java.util.Objects;

/**
 * Per-listener settings of an http proxy connection.
 * {@code responseTimeout}: from the request's last byte sent to the response head (0 = none).
 * {@code idleTimeout}: a client connection with no request in progress is closed after it (0 = never).
 * {@code clientTimeouts}: how long a client may take over a request head and between request body bytes.
 * {@code observer}: told about each request's phases (recording, histograms).
 * {@code tunnels}: where a connection goes after a 101 Switching Protocols (WebSocket); null = 101 refused (502).
 */
public record HttpConnectionOptions(Duration responseTimeout, Duration idleTimeout, ClientTimeouts clientTimeouts,
                                    ExchangeObserver observer, UpgradeTunnels tunnels) {
    /** {@code head}: first byte of a request head to its end; {@code bodyIdle}: wait for more body once asked. 0 = none. */
    public record ClientTimeouts(Duration head, Duration bodyIdle) {
        public static final ClientTimeouts DEFAULTS = new ClientTimeouts(ListenerSpec.DEFAULT_REQUEST_HEAD_TIMEOUT,
                ListenerSpec.DEFAULT_REQUEST_BODY_IDLE_TIMEOUT);

        public ClientTimeouts {
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(bodyIdle, "bodyIdle");
        }
    }

    public static final HttpConnectionOptions DEFAULTS = new HttpConnectionOptions(
            ListenerSpec.DEFAULT_RESPONSE_TIMEOUT, ListenerSpec.DEFAULT_IDLE_TIMEOUT, ClientTimeouts.DEFAULTS,
            ExchangeObserver.NONE, null);

    public HttpConnectionOptions {
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(clientTimeouts, "clientTimeouts");
        Objects.requireNonNull(observer, "observer");
    }

    /** The listener's own settings (timeouts); no observer, no upgrades. */
    public static HttpConnectionOptions of(ListenerSpec spec) {
        return DEFAULTS.withResponseTimeout(spec.responseTimeout()).withIdleTimeout(spec.idleTimeout())
                .withClientTimeouts(new ClientTimeouts(spec.requestHeadTimeout(), spec.requestBodyIdleTimeout()));
    }

    public HttpConnectionOptions withResponseTimeout(Duration timeout) {
        return new HttpConnectionOptions(timeout, idleTimeout, clientTimeouts, observer, tunnels);
    }

    public HttpConnectionOptions withIdleTimeout(Duration timeout) {
        return new HttpConnectionOptions(responseTimeout, timeout, clientTimeouts, observer, tunnels);
    }

    public HttpConnectionOptions withClientTimeouts(ClientTimeouts timeouts) {
        return new HttpConnectionOptions(responseTimeout, idleTimeout, timeouts, observer, tunnels);
    }

    public HttpConnectionOptions withObserver(ExchangeObserver o) {
        return new HttpConnectionOptions(responseTimeout, idleTimeout, clientTimeouts, o, tunnels);
    }

    public HttpConnectionOptions withTunnels(UpgradeTunnels t) {
        return new HttpConnectionOptions(responseTimeout, idleTimeout, clientTimeouts, observer, t);
    }
}
