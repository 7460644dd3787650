package io.faultline.sidecar.http;

import io.faultline.sidecar.http.RequestExchange.RequestStage;
import io.faultline.sidecar.http.RequestExchange.ResponseStage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The upstream side of an {@link HttpProxyConnection}: opens the upstream connection (lazily, again
 * after it closed), sends request heads and bodies, runs the response timeout and the injected
 * response delay, and reads the upstream's response with backpressure, handing it to the
 * {@link ResponseRelay} in order. An upstream that talks out of turn or breaks is dropped; the
 * client then gets a 502/504 or, mid-response, a close.
 */
final class UpstreamLink {
    private final HttpProxyConnection conn;
    private final UpstreamConnector connector;
    private final long responseTimeoutNanos;
    /** Decoded responses; after a 101, the raw bytes that followed it. */
    private final ArrayDeque<Object> received = new ArrayDeque<>();
    private Channel channel;
    /** The HTTP handlers of the current upstream channel (removed when it switches protocols). */
    private ChannelHandler[] httpHandlers;
    private boolean detaching;
    private boolean connecting;
    private ChannelFuture lastRequestWrite;
    private boolean draining;
    /** The response timeout: one timer per connection, re-armed per request (no schedule/cancel per request). */
    private final DeadlineTimer responseTimer;
    /** The exchange whose response the armed response timer waits for. */
    private RequestExchange awaitingResponse;

    UpstreamLink(HttpProxyConnection conn, UpstreamConnector connector, Duration responseTimeout) {
        this.conn = conn;
        this.connector = connector;
        this.responseTimeoutNanos = responseTimeout.toNanos();
        this.responseTimer = new DeadlineTimer(conn.client.eventLoop(), this::responseTimedOut);
    }

    // ---------------------------------------------------------------- request direction

    /** Sends the request upstream, connecting first if there is no open upstream connection. */
    void forward(RequestExchange ex) {
        if (channel != null && channel.isActive()) {
            conn.observer.forwardingStarted(ex, false, conn.nanoTime());
            sendHead(ex);
            return;
        }
        if (connecting) {
            return;
        }
        connecting = true;
        conn.observer.forwardingStarted(ex, true, conn.nanoTime());
        UpstreamResponseDecoder decoder = new UpstreamResponseDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(HttpProxyConnection.MAX_INITIAL_LINE)
                .setMaxHeaderSize(HttpProxyConnection.MAX_RESPONSE_HEADER_SIZE)
                .setMaxChunkSize(HttpProxyConnection.MAX_CHUNK), this::headInFlight);
        ChannelHandler[] handlers = {decoder, new HttpRequestEncoder(), new Handler()};
        connector.connect(conn.client, handlers).addListener((ChannelFuture f) -> {
            connecting = false;
            if (conn.closed) {
                f.channel().close();
                return;
            }
            if (!f.isSuccess()) {
                connector.connectFailed(f.cause()); // counts upstreamConnectFailures and logs once per burst
                boolean timeout = f.cause() instanceof ConnectTimeoutException;
                (timeout ? conn.stats.gatewayTimeout : conn.stats.badGateway).increment();
                HttpResponseStatus status = timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
                conn.decider.answer(ex, ExchangeDecider.plain(status,
                        "upstream " + (timeout ? "connect timed out" : "unreachable")), false);
                return;
            }
            channel = f.channel();
            httpHandlers = handlers;
            channel.read();
            if (ex == conn.exchange) {
                conn.observer.upstreamConnected(ex, conn.nanoTime());
                sendHead(ex);
            }
        });
    }

    private boolean headInFlight() {
        RequestExchange ex = conn.exchange;
        return ex != null && ex.request != null && ex.request.method().equals(HttpMethod.HEAD);
    }

    private void sendHead(RequestExchange ex) {
        HttpRequest request = ex.request;
        String upgrade = HopByHop.upgradeWithoutH2c(request.headers().get(HttpHeaderNames.UPGRADE));
        ex.upgradeRequested = conn.tunnels != null && UpgradeHandover.asksToUpgrade(request);
        HopByHop.strip(request.headers());
        if (ex.upgradeRequested) {
            // The one hop-by-hop request that goes on: the upstream may switch protocols (WebSocket).
            request.headers().set(HttpHeaderNames.UPGRADE, upgrade);
            request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        if (ex.http10 && !request.headers().contains(HttpHeaderNames.HOST)) {
            request.headers().set(HttpHeaderNames.HOST, hostOf(channel));
        }
        // Keep-alive to the upstream whatever the client speaks: its connection is ours.
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        // Expect: 100-continue goes on: the upstream's own 100 (or its early final answer) reaches the client.
        conn.stats.forwarded.increment();
        ex.requestStage = RequestStage.FORWARDING;
        LastHttpContent whole = conn.intake.takeWholeBody(ex);
        if (whole == null) {
            lastRequestWrite = channel.write(request);
            channel.read();
            conn.intake.drain();
            return;
        }
        // The whole request is here (a GET's empty end, a small body): one write, one encoding pass.
        lastRequestWrite = channel.write(new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                request.uri(), whole.content(), request.headers(), whole.trailingHeaders()));
        channel.read();
        conn.intake.wholeRequestSent(ex);
    }

    private static String hostOf(Channel ch) {
        return ch.remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getHostString() + ":" + a.getPort() : "localhost";
    }

    void writeRequestBody(HttpContent content) {
        lastRequestWrite = channel.write(content);
    }

    /** The request's last part was written: flush it and start waiting for the response. */
    void requestSent(RequestExchange ex) {
        channel.flush();
        lastRequestWrite = null;
        conn.observer.requestSent(ex, conn.nanoTime());
        startResponseTimer(ex);
    }

    /** The last request write not yet waited for (null if none); forgotten once taken. */
    ChannelFuture takeRequestWrite() {
        ChannelFuture written = lastRequestWrite;
        lastRequestWrite = null;
        return written;
    }

    void flush() {
        channel.flush();
    }

    private void startResponseTimer(RequestExchange ex) {
        if (responseTimeoutNanos <= 0 || ex.responseStage != ResponseStage.WAITING) {
            return;
        }
        awaitingResponse = ex;
        responseTimer.arm(responseTimeoutNanos);
    }

    private void responseTimedOut() {
        RequestExchange ex = awaitingResponse;
        awaitingResponse = null;
        if (ex != null && ex == conn.exchange && ex.responseStage == ResponseStage.WAITING && !conn.closed) {
            conn.stats.gatewayTimeout.increment();
            drop(); // a late answer must not be taken for the next request's
            conn.decider.answer(ex, ExchangeDecider.plain(HttpResponseStatus.GATEWAY_TIMEOUT,
                    "upstream response timed out\n"), false);
        }
    }

    /** The response head came (or is held for a delay): the response timeout no longer applies. */
    void cancelResponseTimer() {
        awaitingResponse = null;
        responseTimer.disarm();
    }

    /** The connection ends: the response timer's task goes too. */
    void stopTimers() {
        awaitingResponse = null;
        responseTimer.cancel();
    }

    // ---------------------------------------------------------------- response direction

    /** Hands what the upstream sent to the relay, in order, as far as the exchange allows. */
    void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!conn.closed) {
                RequestExchange ex = conn.exchange;
                if (ex != null && (ex.responseHeld || ex.pacingResponse())) {
                    return;
                }
                Object next = received.peek();
                if (next == null) {
                    readOrGiveUp(ex);
                    return;
                }
                if (!(next instanceof HttpObject msg)) {
                    // Raw bytes come only after a 101, and a 101 that is not taken over ends the connection.
                    received.poll();
                    ReferenceCountUtil.release(next);
                    drop();
                    continue;
                }
                if (ex == null || ex.responseStage == ResponseStage.DONE || ex.requestStage == RequestStage.DECIDING
                        || ex.requestStage == RequestStage.DISCARDING) {
                    // Nothing asked for it: an upstream that talks out of turn is not to be trusted.
                    received.poll();
                    ReferenceCountUtil.release(msg);
                    drop();
                    continue;
                }
                if (msg instanceof HttpResponse response && ex.responseStage == ResponseStage.WAITING
                        && response.decoderResult().isSuccess() && response.status().code() >= 200
                        && ex.responseDelayNanos > 0 && !ex.responseDelayServed) {
                    holdResponse(ex);
                    return;
                }
                received.poll();
                if (msg instanceof HttpResponse response) {
                    conn.relay.head(ex, response);
                } else {
                    conn.relay.content(ex, (HttpContent) msg);
                }
            }
        } finally {
            draining = false;
        }
    }

    /**
     * The response body, if all of it was already read as one successful last part right behind the
     * head being relayed: taken off the queue for the caller to write with the head. Null otherwise.
     */
    LastHttpContent takeWholeBody() {
        if (!(received.peek() instanceof LastHttpContent last) || last.decoderResult().isFailure()) {
            return null;
        }
        received.poll();
        return last;
    }

    private void holdResponse(RequestExchange ex) {
        ex.responseHeld = true;
        ex.responseDelayServed = true;
        cancelResponseTimer();
        ex.responseDelayTimer = conn.client.eventLoop().schedule(() -> {
            ex.responseDelayTimer = null;
            ex.responseHeld = false;
            drain();
        }, ex.responseDelayNanos, TimeUnit.NANOSECONDS);
    }

    /** Reads the upstream again once what it gave reached the client; notices an upstream that went away. */
    private void readOrGiveUp(RequestExchange ex) {
        Channel up = channel;
        if (up == null) {
            if (ex != null && ex.requestStage != RequestStage.DECIDING && ex.requestStage != RequestStage.DISCARDING
                    && ex.responseStage != ResponseStage.DONE) {
                failedDuring(ex, "upstream closed the connection before the response was complete");
            }
            return;
        }
        ChannelFuture written = conn.relay.takeLastWrite();
        if (written == null || written.isDone()) {
            if (written == null || written.isSuccess()) {
                up.read();
            }
            return;
        }
        conn.client.flush();
        written.addListener(f -> {
            if (f.isSuccess() && up == channel && !conn.closed) {
                up.read();
            }
        });
    }

    /** The upstream broke the exchange: 502 if the client has nothing of the response yet, else a close. */
    void failedDuring(RequestExchange ex, String why) {
        drop();
        if (ex.responseStage == ResponseStage.WAITING) {
            conn.stats.badGateway.increment();
            conn.decider.answer(ex, ExchangeDecider.plain(HttpResponseStatus.BAD_GATEWAY, why + "\n"), false);
        } else {
            conn.close(); // the client has part of a response: only a close tells it something broke
        }
    }

    private void closed(Channel which) {
        if (which != channel) {
            return;
        }
        channel = null;
        drain(); // plays out what was decoded before the close, then notices the loss
    }

    /** Forgets the upstream connection; the next forwarded request opens a new one. */
    void drop() {
        Channel up = channel;
        channel = null;
        lastRequestWrite = null;
        conn.relay.forgetInformational();
        Object msg;
        while ((msg = received.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        if (up != null) {
            up.close();
        }
    }

    /**
     * Takes the upstream channel out of HTTP after a 101 it answered: the HTTP handlers leave its
     * pipeline; the bytes that came after the 101 are handed out (the caller writes or releases them).
     */
    Channel detach(List<ByteBuf> after101) {
        Channel up = channel;
        channel = null;
        lastRequestWrite = null;
        stopTimers();
        detaching = true;
        try {
            for (ChannelHandler h : httpHandlers) {
                // The decoder hands what it still holds to the next handler, ours, which keeps it.
                up.pipeline().remove(h);
            }
        } finally {
            detaching = false;
        }
        Object msg;
        while ((msg = received.poll()) != null) {
            if (msg instanceof ByteBuf b) {
                after101.add(b);
            } else {
                ReferenceCountUtil.release(msg); // the empty last part of the 101
            }
        }
        return up;
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean ours = detaching || (!conn.closed && ctx.channel() == channel);
            if (!ours || !(msg instanceof HttpObject || msg instanceof ByteBuf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            conn.listenerStats.bytesDownstream.add(msg instanceof HttpContent c ? c.content().readableBytes()
                    : msg instanceof ByteBuf b ? b.readableBytes() : 0);
            received.add(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                drain();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // After the codec delivered what it decoded at the close (the end of a close-delimited body).
            closed(ctx.channel());
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.channel().close(); // closed() decides what the client gets
        }
    }
}
