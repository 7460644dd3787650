package io.faultline.sidecar.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-listener settings of an http proxy connection.
 * {@code responseTimeout}: from the request's last byte sent to the response head (0 = none).
 * {@code observer}: told about each request's phases (recording, histograms).
 */
public record HttpConnectionOptions(Duration responseTimeout, ExchangeObserver observer) {
    public static final HttpConnectionOptions DEFAULTS =
            new HttpConnectionOptions(Duration.ofSeconds(30), ExchangeObserver.NONE);

    public HttpConnectionOptions {
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(observer, "observer");
    }

    public HttpConnectionOptions withResponseTimeout(Duration timeout) {
        return new HttpConnectionOptions(timeout, observer);
    }

    public HttpConnectionOptions withObserver(ExchangeObserver o) {
        return new HttpConnectionOptions(responseTimeout, o);
    }
}
