package io.faultline.sidecar.http.h2;

import io.faultline.sidecar.config.StreamDirection;
import io.faultline.sidecar.http.BodyPacer;
import io.faultline.sidecar.http.ExchangeEdits;
import io.faultline.sidecar.http.ExchangeObserver;
import io.faultline.sidecar.http.HttpRules;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One client stream and its upstream stream: what the rules decided for it, and the frames held
 * while a decision, a connect or a delay is pending. Holding is bounded by HTTP/2 flow control: a
 * held DATA frame's bytes are not given back to its sender until the frame was written onward.
 */
final class H2Stream extends ExchangeEdits {
    enum Stage { DECIDING, FORWARDING, ANSWERED, CLOSED }

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
    /** Inside {@link H2ProxyConnection}'s drain of {@link #toClient} / {@link #toUpstream}: no re-entry. */
    boolean drainingToClient;
    boolean drainingToUpstream;
    /** This stream opened the upstream connection it waits for (its connect phase is timed). */
    boolean opensConnection;
    /** The response's end went to the client, or the exchange was reported aborted: nothing more to report. */
    boolean finished;
    ScheduledFuture<?> requestTimer;
    ScheduledFuture<?> responseDelayTimer;
    ScheduledFuture<?> responseTimeoutTimer;
    /** slowBody: pacing of the request and response DATA (null: full speed). */
    BodyPacer requestPacer;
    BodyPacer responsePacer;
    final ExchangeObserver observer;

    H2Stream(H2ProxyConnection conn, Http2FrameStream clientStream, Http2Headers requestHeaders, boolean endStream,
             HttpRequest view, ExchangeObserver observer) {
        this.conn = conn;
        this.observer = observer;
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
    protected Map<Object, Object> connectionStates() {
        return conn.state;
    }

    /** slowBody: DATA frames of the rule's direction(s) go out in paced slices while the rule stays in force. */
    @Override
    public void paceBody(long bytesPerSecond) {
        HttpRules.Rule rule = currentRule();
        StreamDirection direction = rule.active().spec().stream();
        if (direction.covers(StreamDirection.DOWNSTREAM) && responsePacer == null) {
            responsePacer = newPacer(bytesPerSecond, rule);
        }
        if (direction.covers(StreamDirection.UPSTREAM) && requestPacer == null) {
            requestPacer = newPacer(bytesPerSecond, rule);
        }
    }

    private BodyPacer newPacer(long bytesPerSecond, HttpRules.Rule rule) {
        return new BodyPacer(bytesPerSecond, conn.client().eventLoop(),
                () -> stage == Stage.FORWARDING && conn.inForce(rule), () -> stage == Stage.FORWARDING);
    }

    static boolean busy(BodyPacer pacer) {
        return pacer != null && pacer.busy();
    }

    boolean isGrpc() {
        return H2Headers.isGrpc(requestHeaders);
    }

    /** Ends the stream's life here: timers off, held frames released; unfinished, it is reported aborted. */
    void discard() {
        if (!finished) {
            finished = true;
            observer.exchangeAborted(this, conn.nanoTime());
        }
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
        if (requestPacer != null) {
            requestPacer.cancel();
        }
        if (responsePacer != null) {
            responsePacer.cancel();
        }
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
