package io.faultline.sidecar.http.h2;

import io.faultline.sidecar.http.HttpExchange;
import io.faultline.sidecar.http.HttpRules;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One client stream and its upstream stream: what the rules decided for it, and the frames held
 * while a decision, a connect or a delay is pending. Holding is bounded by HTTP/2 flow control: a
 * held DATA frame's bytes are not given back to its sender until the frame was written onward.
 */
final class H2Stream implements HttpExchange {
    enum Stage { DECIDING, FORWARDING, ANSWERED, CLOSED }

    /** A local answer decided by a fault. */
    record Answer(HttpResponseStatus status, HttpHeaders headers, String body) {
    }

    final H2ProxyConnection conn;
    final Http2FrameStream clientStream;
    final Http2Headers requestHeaders;
    final boolean requestEndsWithHeaders;
    final HttpRequest view;
    Stage stage = Stage.DECIDING;
    H2UpstreamLink link;
    Http2FrameStream upstreamStream;
    /** Request frames (DATA, trailers) that arrived before the upstream stream exists. */
    final ArrayDeque<Http2StreamFrame> toUpstream = new ArrayDeque<>();
    /** Response frames held while the response delay runs. */
    final ArrayDeque<Http2StreamFrame> toClient = new ArrayDeque<>();
    boolean rulesActed;
    boolean requestEndReceived;
    boolean responseStarted;
    boolean responseEndReceived;
    boolean responseHeld;
    boolean responseDelayServed;
    long requestDelayNanos;
    long responseDelayNanos;
    Answer answer;
    final List<Consumer<HttpResponse>> responseEdits = new ArrayList<>(1);
    private final List<String> injectedRules = new ArrayList<>(1);
    HttpRules.Rule currentRule;
    ScheduledFuture<?> requestTimer;
    ScheduledFuture<?> responseDelayTimer;
    ScheduledFuture<?> responseTimeoutTimer;

    H2Stream(H2ProxyConnection conn, Http2FrameStream clientStream, Http2Headers requestHeaders, boolean endStream,
             HttpRequest view) {
        this.conn = conn;
        this.clientStream = clientStream;
        this.requestHeaders = requestHeaders;
        this.requestEndsWithHeaders = endStream;
        this.view = view;
    }

    @Override
    public HttpRequest request() {
        return view;
    }

    @Override
    public SplittableRandom random() {
        return conn.random;
    }

    @Override
    public long nanoTime() {
        return conn.nanoTime();
    }

    @Override
    public void injected() {
        currentRule.active().stats().injected.increment();
        String name = currentRule.active().spec().name();
        if (!injectedRules.contains(name)) {
            injectedRules.add(name);
        }
    }

    @Override
    public List<String> injectedRules() {
        return List.copyOf(injectedRules);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <S> S connectionState(Supplier<S> create) {
        Object key = List.of(currentRule.active().spec().name(), currentRule.fault());
        return (S) conn.state.computeIfAbsent(key, k -> create.get());
    }

    @Override
    public <S> S ruleState(Supplier<S> create) {
        return currentRule.active().stats().sharedState(currentRule.fault(), create);
    }

    @Override
    public void respond(HttpResponseStatus status, HttpHeaders headers, String body) {
        if (answer == null) {
            answer = new Answer(status, headers, body == null ? "" : body);
        }
    }

    /** Not offered on h2 ({@link H2Faults} keeps such faults away); a stray call changes nothing. */
    @Override
    public void drop() {
    }

    /** Not offered on h2, as {@link #drop}. */
    @Override
    public void reset() {
    }

    @Override
    public void delayRequest(long nanos) {
        requestDelayNanos += Math.max(0, nanos);
    }

    @Override
    public void delayResponse(long nanos) {
        responseDelayNanos += Math.max(0, nanos);
    }

    @Override
    public void onResponse(Consumer<HttpResponse> edit) {
        responseEdits.add(edit);
    }

    /** Not offered on h2, as {@link #drop}. */
    @Override
    public void transformResponseBody(BodyTransform transform) {
    }

    @Override
    public boolean decided() {
        return answer != null;
    }

    boolean isGrpc() {
        return H2Headers.isGrpc(requestHeaders);
    }

    /** Ends the stream's life here: timers off, held frames released. */
    void discard() {
        stage = Stage.CLOSED;
        cancelTimers();
        releaseAll(toUpstream);
        releaseAll(toClient);
    }

    void cancelTimers() {
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
        if (responseDelayTimer != null) {
            responseDelayTimer.cancel(false);
            responseDelayTimer = null;
        }
        cancelResponseTimeout();
    }

    void cancelResponseTimeout() {
        if (responseTimeoutTimer != null) {
            responseTimeoutTimer.cancel(false);
            responseTimeoutTimer = null;
        }
    }

    private static void releaseAll(ArrayDeque<Http2StreamFrame> frames) {
        Http2StreamFrame f;
        while ((f = frames.poll()) != null) {
            ReferenceCountUtil.release(f);
        }
    }
}
