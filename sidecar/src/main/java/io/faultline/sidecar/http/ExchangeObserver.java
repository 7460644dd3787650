package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Told about the phases of each request of an http listener (recording, timing histograms). Calls
 * come on the connection's event loop and must not block; {@code nanos} is the event loop's clock
 * ({@link HttpExchange#nanoTime}). The exchange and head are only lent: copy what you keep, never
 * release or edit them. Every method does nothing unless overridden.
 *
 * <p>Per request the order is: requestReceived, [forwardingStarted, [upstreamConnected], requestSent],
 * responseStarted, responseComplete (requestBody and responseBody along the way); a request answered by a fault or by the proxy skips the upstream phases; one
 * cut short by a close ends with exchangeAborted instead.
 */
public interface ExchangeObserver {
    ExchangeObserver NONE = new ExchangeObserver() {
    };

    /** A request head arrived. {@code exchange.request()} is null when it was malformed (answered 4xx). */
    default void requestReceived(HttpExchange exchange, long nanos) {
    }

    /**
     * The request leaves the rules (after any injected request delay) for the upstream:
     * {@code newConnection} when an upstream connection starts opening for it now, else its head is
     * written on the kept-alive one.
     */
    default void forwardingStarted(HttpExchange exchange, boolean newConnection, long nanos) {
    }

    /** A part of the request body as the client sent it (forwarded or discarded). Lent: copy what you keep. */
    default void requestBody(HttpExchange exchange, HttpContent part) {
    }

    /** A part of the response body on its way to the client (local answers included). Lent: copy what you keep. */
    default void responseBody(HttpExchange exchange, HttpContent part) {
    }

    /** A new upstream connection opened for this request (not called when a kept-alive one is reused). */
    default void upstreamConnected(HttpExchange exchange, long nanos) {
    }

    /** The request's last byte was handed to the upstream connection. */
    default void requestSent(HttpExchange exchange, long nanos) {
    }

    /**
     * The response head goes to the client: the upstream's (after any injected response delay, with
     * header edits applied) or a local answer (fault, 4xx/5xx of the proxy). Informational (1xx)
     * heads are not reported here.
     */
    default void responseStarted(HttpExchange exchange, HttpResponse head, long nanos) {
    }

    /** h2: the response's trailers (after its body) on their way to the client. Lent, as the head. */
    default void responseTrailers(HttpExchange exchange, io.netty.handler.codec.http.HttpHeaders trailers) {
    }

    /** The response's last byte was handed to the client connection. */
    default void responseComplete(HttpExchange exchange, long nanos) {
    }

    /** The connection closed before this exchange's response was complete. */
    default void exchangeAborted(HttpExchange exchange, long nanos) {
    }
}
