package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What an {@link HttpFault} may do with one request. Everything here runs on the connection's
 * event loop; nothing blocks. Calls refer to the rule being evaluated (counters, state).
 */
public interface HttpExchange {
    /** The request head; its headers may be changed until it is forwarded. */
    HttpRequest request();

    /** The connection's random stream (deterministic with {@code --seed}). */
    SplittableRandom random();

    /** The event loop's clock in nanoseconds (virtual in EmbeddedChannel tests). */
    long nanoTime();

    /** Counts one injection for the current rule. */
    void injected();

    /** The names of the rules that injected something into this request so far, in order. */
    List<String> injectedRules();

    /** State of the current rule on this connection, created on first use. */
    <S> S connectionState(Supplier<S> create);

    /** State of the current rule shared by all connections (must be thread-safe), reset when its fault changes. */
    <S> S ruleState(Supplier<S> create);

    /** Answers the request here, without the upstream; ends rule evaluation. */
    void respond(HttpResponseStatus status, HttpHeaders headers, String body);

    /** Closes the client connection without an answer; ends rule evaluation. */
    void drop();

    /** Resets the client connection (TCP RST); ends rule evaluation. */
    void reset();

    /** Holds the request this long before it is forwarded or answered (adds up over rules). */
    void delayRequest(long nanos);

    /** Holds the response this long before its first byte goes to the client (adds up over rules). */
    void delayResponse(long nanos);

    /** Edits the upstream's response head before it goes to the client. */
    void onResponse(Consumer<HttpResponse> edit);

    /**
     * Rewrites the response body: {@code transform} gets the head (editable) and the whole body and
     * returns the new body, or null to keep it. The proxy then holds the body (bounded).
     */
    void transformResponseBody(BodyTransform transform);

    /**
     * Paces the body of the direction(s) the current rule's {@code stream} names (downstream: the
     * response, upstream: the request) to this many bytes per second, while the rule stays in force.
     * The first rule that asks paces; later ones are ignored.
     */
    void paceBody(long bytesPerSecond);

    /** A response body rewrite. */
    interface BodyTransform {
        byte[] apply(HttpResponse head, byte[] body);
    }

    /** Whether an earlier rule already decided the request's fate (respond, drop, reset). */
    boolean decided();
}
