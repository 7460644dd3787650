package io.faultline.sidecar.http;

import io.faultline.sidecar.http.RequestExchange.RequestStage;
import io.netty.buffer.ByteBuf;
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
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of an {@link HttpProxyConnection}: takes the decoded requests off the client
 * channel, queues what arrives while an earlier request is in progress (pipelining), refuses what
 * is malformed or not served, starts each request's exchange and streams its body to the upstream
 * with backpressure (the client is read again once the upstream took what was read).
 *
 * <p>A request asking to switch protocols (Upgrade) ends the decoding of client bytes: what the
 * client sends behind it (a WebSocket client's first frame, often in the same packet) is held as
 * bytes, for the tunnel after a 101. If the upstream does not switch, HTTP goes on with a fresh
 * decoder when nothing was held, and the connection closes after the answer when something was.
 */
final class ClientIntake extends ChannelInboundHandlerAdapter implements ClientRequestTimers.Expiry {
    /** The most a client may send behind an upgrade request before the 101 (one read's worth, in practice). */
    static final int MAX_HELD_AFTER_UPGRADE = 64 * 1024;
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
    final ClientRequestTimers timers;
    /** The request being decoded asks to switch protocols: its end detaches the decoder. */
    private boolean upgradeDecoding;
    /** Non-null once the decoder left for an upgrade request: the client's bytes behind it, in order. */
    private List<ByteBuf> heldAfterUpgrade;
    private int heldBytes;

    ClientIntake(HttpProxyConnection conn, Duration idleTimeout, HttpConnectionOptions.ClientTimeouts timeouts) {
        this.conn = conn;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.idleTimer = new DeadlineTimer(conn.client.eventLoop(), this::idleExpired);
        this.timers = new ClientRequestTimers(timeouts.head().toNanos(), timeouts.bodyIdle().toNanos(), this);
    }

    // ---------------------------------------------------------------- channel events

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (leaving) {
            strayBytes = true;
        }
        if (msg instanceof ByteBuf raw && heldAfterUpgrade != null && !conn.closed) {
            hold(raw);
            return;
        }
        if (conn.closed || !(msg instanceof HttpObject http)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        conn.listenerStats.bytesUpstream.add(msg instanceof HttpContent c ? c.content().readableBytes() : 0);
        queued.add(http);
        if (http instanceof HttpRequest request) {
            timers.headDecoded();
            upgradeDecoding = conn.tunnels != null && request.decoderResult().isSuccess()
                    && UpgradeHandover.asksToUpgrade(request);
        }
        if (http instanceof LastHttpContent) {
            timers.requestEndDecoded();
            if (upgradeDecoding && http.decoderResult().isSuccess()) {
                detachDecoder();
            }
        }
    }

    /**
     * Whatever follows an upgrade request is not HTTP if the upstream switches: the decoder leaves
     * now, in the middle of its read, and hands what it still holds to this handler as bytes.
     */
    private void detachDecoder() {
        upgradeDecoding = false;
        heldAfterUpgrade = new ArrayList<>(1);
        conn.client.pipeline().remove(HttpProxyConnection.CODEC); // hands its cumulation on as bytes
    }

    private void hold(ByteBuf raw) {
        heldBytes += raw.readableBytes();
        conn.listenerStats.bytesUpstream.add(raw.readableBytes());
        heldAfterUpgrade.add(raw);
        if (heldBytes > MAX_HELD_AFTER_UPGRADE) {
            conn.close(); // a client that must wait for the 101 does not send this much
        }
    }

    /**
     * The upgrade request was answered without a switch: HTTP goes on with a fresh decoder if the
     * client sent nothing behind it; false (the connection is to close) if it did.
     */
    boolean resumeAfterUpgradeRefused() {
        if (heldAfterUpgrade == null) {
            return true;
        }
        boolean nothingHeld = heldAfterUpgrade.isEmpty();
        releaseHeld();
        if (nothingHeld) {
            conn.client.pipeline().addAfter(ClientRequestTimers.NAME, HttpProxyConnection.CODEC,
                    HttpProxyConnection.newDecoder());
        }
        return nothingHeld;
    }

    private void releaseHeld() {
        if (heldAfterUpgrade != null) {
            heldAfterUpgrade.forEach(ByteBuf::release);
            heldAfterUpgrade = null;
            heldBytes = 0;
        }
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
        timers.cancelAll();
        releaseHeld();
        HttpObject msg;
        while ((msg = queued.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Takes the client channel out of HTTP (after a 101): the codec, the timers and this handler
     * leave its pipeline. Returns what the client sent behind its upgrade request, in order, for
     * the tunnel (the caller writes or releases it); null when that cannot be relayed in order
     * (the request was decoded as HTTP because the upgrade was not asked by the client itself).
     */
    List<ByteBuf> leaveHttp() {
        boolean clean = queued.isEmpty();
        List<ByteBuf> held = heldAfterUpgrade == null ? List.of() : heldAfterUpgrade;
        heldAfterUpgrade = null;
        heldBytes = 0;
        releaseQueued();
        leaving = true;
        if (conn.client.pipeline().get(HttpProxyConnection.CODEC) != null) { // not detached for an upgrade
            conn.client.pipeline().remove(HttpProxyConnection.CODEC);
        }
        conn.client.pipeline().remove(HttpProxyConnection.ENCODER);
        conn.client.pipeline().remove(ClientRequestTimers.NAME);
        conn.client.pipeline().remove(this);
        if (clean && !strayBytes) {
            return held;
        }
        held.forEach(ByteBuf::release);
        return null;
    }

    private void readOrFinish() {
        if (inputDone) {
            conn.closeAfterWrites();
        } else {
            armIdleTimer();
            timers.expectHead();
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
            timers.cancelBody();
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
            readBody(ex);
            return;
        }
        conn.upstream.flush();
        written.addListener(f -> {
            if (!f.isSuccess()) {
                return; // the upstream's close is handled in UpstreamLink
            }
            if (!conn.closed && conn.exchange == ex) {
                readBody(ex);
            }
        });
    }

    private void readBody(RequestExchange ex) {
        // A client that expects 100 Continue waits for it before sending the body: not its delay.
        if (!ex.expectContinue || ex.continueRelayed || ex.requestStage != RequestStage.FORWARDING) {
            timers.bodyReadRequested();
        }
        conn.client.read();
    }

    /** The upstream's 100 Continue went to the client: from now on its body is awaited. */
    void continueRelayed(RequestExchange ex) {
        ex.continueRelayed = true;
        if (ex == conn.exchange && ex.requestStage == RequestStage.FORWARDING) {
            timers.bodyReadRequested();
        }
    }

    // ---------------------------------------------------------------- client timeouts

    @Override
    public void headStarted() {
        cancelIdleTimer(); // a request is in progress: its head clock runs instead
    }

    @Override
    public void headTimedOut() {
        if (conn.closed || conn.exchange != null || !queued.isEmpty()) {
            return;
        }
        conn.stats.requestHeadTimeouts.increment();
        RequestExchange ex = new RequestExchange(conn, null);
        conn.exchange = ex;
        conn.observer.requestReceived(ex, conn.nanoTime());
        conn.decider.answer(ex, ExchangeDecider.plain(HttpResponseStatus.REQUEST_TIMEOUT,
                "request head not received in time\n"), true);
    }

    @Override
    public void bodyTimedOut() {
        RequestExchange ex = conn.exchange;
        if (conn.closed || ex == null || ex.requestStage == RequestStage.DONE
                || ex.requestStage == RequestStage.DECIDING) {
            return;
        }
        conn.stats.requestBodyTimeouts.increment();
        // 408 while the upstream has not answered (its connection, holding half a request, is closed);
        // a close once a response started: the client has part of it, only a close tells it something broke.
        conn.decider.answer(ex, ExchangeDecider.plain(HttpResponseStatus.REQUEST_TIMEOUT,
                "request body not received in time\n"), true);
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
