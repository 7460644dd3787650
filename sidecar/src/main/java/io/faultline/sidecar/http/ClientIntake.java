package io.faultline.sidecar.http;

import io.faultline.sidecar.http.RequestExchange.RequestStage;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The client side of an {@link HttpProxyConnection}: takes the decoded requests off the client
 * channel, queues what arrives while an earlier request is in progress (pipelining), refuses what
 * is malformed or not served, starts each request's exchange and streams its body to the upstream
 * with backpressure (the client is read again once the upstream took what was read).
 */
final class ClientIntake extends ChannelInboundHandlerAdapter {
    private final HttpProxyConnection conn;
    private final ArrayDeque<HttpObject> queued = new ArrayDeque<>();
    private final long idleTimeoutNanos;
    private boolean inputDone;
    private boolean draining;
    /** Leaving HTTP (101): whether the client sent anything the codec still held. */
    private boolean leaving;
    private boolean strayBytes;
    /** Armed while no request is in progress (idleTimeout); a request head disarms it. */
    private final DeadlineTimer idleTimer;

    ClientIntake(HttpProxyConnection conn, Duration idleTimeout) {
        this.conn = conn;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.idleTimer = new DeadlineTimer(conn.client.eventLoop(), this::idleExpired);
    }

    // ---------------------------------------------------------------- channel events

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (leaving) {
            strayBytes = true;
        }
        if (conn.closed || !(msg instanceof HttpObject http)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        conn.listenerStats.bytesUpstream.add(msg instanceof HttpContent c ? c.content().readableBytes() : 0);
        queued.add(http);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        drain();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputDone = true;
            drain();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        conn.close();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        conn.close(); // resets and broken pipes are normal proxy life; never log per connection
    }

    // ---------------------------------------------------------------- requests

    /** Moves on with what the client sent, as far as the exchange in progress allows. */
    void drain() {
        if (draining) {
            return; // the loop further up the stack continues with the new state
        }
        draining = true;
        try {
            while (!conn.closed) {
                RequestExchange ex = conn.exchange;
                if (ex == null) {
                    HttpObject msg = queued.poll();
                    if (msg == null) {
                        readOrFinish();
                        return;
                    }
                    if (msg instanceof HttpRequest request) {
                        begin(request);
                    } else {
                        ReferenceCountUtil.release(msg); // rest of a request already refused
                    }
                    continue;
                }
                if (ex.requestStage == RequestStage.DONE) {
                    readAhead(ex);
                    return; // the response moves on from here
                }
                if (ex.requestStage == RequestStage.DECIDING || ex.pacingRequest()) {
                    return; // a timer, a connect, the body pacer or the response moves on from here
                }
                HttpObject msg = queued.poll();
                if (msg == null) {
                    requestMoreBody(ex);
                    return;
                }
                bodyPart(ex, msg);
            }
        } finally {
            draining = false;
        }
    }

    /** The connection ends or leaves HTTP: nothing queued or scheduled stays behind. */
    void releaseQueued() {
        idleTimer.cancel();
        HttpObject msg;
        while ((msg = queued.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Takes the client channel out of HTTP (after a 101): the codec and this handler leave its
     * pipeline. False when the client sent something after its upgrade request, before the 101
     * (it must wait for it): those bytes cannot be relayed in order.
     */
    boolean leaveHttp() {
        boolean clean = queued.isEmpty();
        releaseQueued();
        leaving = true;
        conn.client.pipeline().remove(HttpProxyConnection.CODEC);
        conn.client.pipeline().remove(HttpProxyConnection.ENCODER);
        conn.client.pipeline().remove(this);
        return clean && !strayBytes;
    }

    private void readOrFinish() {
        if (inputDone) {
            conn.closeAfterWrites();
        } else {
            armIdleTimer();
            conn.client.read();
        }
    }

    /**
     * The request is complete while its response is still to come: keep the client's read interest
     * (dropping it now and setting it again after the response costs two epoll_ctl calls per request),
     * but hold at most one read batch ahead: nothing more is read while anything is queued. Not for
     * a request that may switch protocols (the bytes behind it are the tunnel's, not HTTP) nor for
     * the last request of the connection.
     */
    private void readAhead(RequestExchange ex) {
        if (!inputDone && queued.isEmpty() && !ex.closeAfter && !ex.upgradeRequested) {
            conn.client.read();
        }
    }

    private void armIdleTimer() {
        if (idleTimeoutNanos > 0 && !idleTimer.armed()) {
            idleTimer.arm(idleTimeoutNanos);
        }
    }

    private void idleExpired() {
        if (!conn.closed && conn.exchange == null && queued.isEmpty()) {
            conn.stats.idleClosed.increment();
            conn.closeAfterWrites();
        }
    }

    void cancelIdleTimer() {
        idleTimer.disarm();
    }

    private void begin(HttpRequest request) {
        cancelIdleTimer();
        conn.stats.requests.increment();
        if (request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(request);
            refuseMalformed(request.decoderResult().cause());
            return;
        }
        HttpResponseStatus refusal = protocolRefusal(request);
        RequestExchange ex = new RequestExchange(conn, request);
        conn.exchange = ex;
        ex.closeAfter = !HttpUtil.isKeepAlive(request);
        ex.http10 = request.protocolVersion().minorVersion() == 0;
        conn.observer.requestReceived(ex, conn.nanoTime());
        if (refusal != null) {
            conn.stats.unsupported.increment();
            conn.decider.answer(ex, new RequestExchange.Answer(refusal, new DefaultHttpHeaders(),
                    refusal.reasonPhrase() + "\n"), true);
            return;
        }
        ex.expectContinue = HttpUtil.is100ContinueExpected(request);
        conn.decider.decide(ex);
    }

    /** What this proxy does not serve, answered before any rule runs (null: fine). */
    private static HttpResponseStatus protocolRefusal(HttpRequest request) {
        HttpVersion v = request.protocolVersion();
        if (v.majorVersion() != 1) {
            return HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED;
        }
        if (request.method().equals(HttpMethod.CONNECT)) {
            return HttpResponseStatus.NOT_IMPLEMENTED;
        }
        if (v.minorVersion() >= 1 && !request.headers().contains(HttpHeaderNames.HOST)) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
            return HttpResponseStatus.EXPECTATION_FAILED;
        }
        return null;
    }

    /**
     * The request's body, if all of it is already here as one last part (always so for a GET without
     * body read in one go): taken off the queue, told to the observer, and handed to the caller, which
     * writes it with the head and then calls {@link #wholeRequestSent}. Null: the body goes part by part.
     */
    LastHttpContent takeWholeBody(RequestExchange ex) {
        if (ex.requestPacer != null || !(queued.peek() instanceof LastHttpContent last)
                || last.decoderResult().isFailure()) {
            return null;
        }
        queued.poll();
        conn.observer.requestBody(ex, last);
        return last;
    }

    /** The head and the whole body went upstream in one write ({@link #takeWholeBody}). */
    void wholeRequestSent(RequestExchange ex) {
        bodyPartSent(ex, true, true);
        drain();
    }

    private void bodyPart(RequestExchange ex, HttpObject msg) {
        if (!(msg instanceof HttpContent content)) {
            ReferenceCountUtil.release(msg); // a new head before the last part cannot come from the decoder
            return;
        }
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            ReferenceCountUtil.release(content);
            refuseMalformed(cause);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        conn.observer.requestBody(ex, content);
        boolean forwarding = ex.requestStage == RequestStage.FORWARDING;
        if (forwarding && ex.requestPacer != null) {
            // slowBody on the request: the pacer writes it slice by slice; nothing more is read meanwhile.
            ex.requestPacer.send(content, part -> {
                if (ex.requestStage == RequestStage.FORWARDING) {
                    conn.upstream.writeRequestBody(part);
                    conn.upstream.flush();
                } else {
                    part.release(); // answered meanwhile: the rest of the body is discarded
                }
            }, () -> {
                bodyPartSent(ex, last, ex.requestStage == RequestStage.FORWARDING);
                drain();
            });
            return;
        }
        if (forwarding) {
            conn.upstream.writeRequestBody(content);
        } else {
            content.release();
        }
        bodyPartSent(ex, last, forwarding);
    }

    private void bodyPartSent(RequestExchange ex, boolean last, boolean forwarding) {
        if (last) {
            ex.requestStage = RequestStage.DONE;
            if (forwarding) {
                conn.upstream.requestSent(ex);
            }
            conn.finishIfComplete(ex);
        }
    }

    /** Reads more of the request body once what was read reached the upstream (backpressure). */
    private void requestMoreBody(RequestExchange ex) {
        if (inputDone) {
            return; // the decoder already delivered the end (or a premature-close failure)
        }
        ChannelFuture written = conn.upstream.takeRequestWrite();
        if (ex.requestStage != RequestStage.FORWARDING || written == null) {
            conn.client.read();
            return;
        }
        conn.upstream.flush();
        written.addListener(f -> {
            if (!f.isSuccess()) {
                return; // the upstream's close is handled in UpstreamLink
            }
            if (!conn.closed && conn.exchange == ex) {
                conn.client.read();
            }
        });
    }

    private void refuseMalformed(Throwable cause) {
        HttpResponseStatus status;
        HttpListenerStats stats = conn.stats;
        if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            stats.headersTooLarge.increment();
        } else if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            stats.uriTooLong.increment();
        } else if (cause instanceof TooLongFrameException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            stats.headersTooLarge.increment();
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
            stats.badRequests.increment();
        }
        RequestExchange ex = conn.exchange;
        if (ex == null) {
            ex = new RequestExchange(conn, null);
            conn.exchange = ex;
            conn.observer.requestReceived(ex, conn.nanoTime());
        }
        // The decoder discards everything after a malformed message: the connection cannot go on.
        conn.decider.answer(ex, ExchangeDecider.plain(status, status.reasonPhrase() + "\n"), true);
    }
}
