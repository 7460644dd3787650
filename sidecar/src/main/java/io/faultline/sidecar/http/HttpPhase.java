package io.faultline.sidecar.http;

import java.util.Locale;

/** When a per-request fault acts: before the request is forwarded, or before the response's first byte. */
public enum HttpPhase {
    REQUEST, RESPONSE;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
