package io.faultline.sidecar.http;

import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.http.RequestExchange.RequestStage;
import io.faultline.sidecar.http.RequestExchange.ResponseStage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One client connection of an http listener and its upstream connection, on one event loop.
 *
 * <p>Requests are handled one at a time, in order (pipelined requests wait, unread or queued, until
 * the previous response is complete), which keeps responses in request order. For each request the
 * listener's rules are read afresh and evaluated in order, so a configuration change applies from
 * the next request on, also on connections that are already open. Bodies stream in both directions
 * (never aggregated): AUTO_READ is off and each side is read again only after what it gave was
 * written. The upstream connection is opened at the first forwarded request, on the same event
 * loop, and opened again if it closed in between.
 *
 * <p>Limits: request line {@value #MAX_INITIAL_LINE} bytes (414 beyond), request header block
 * {@value #MAX_HEADER_SIZE} bytes (431 beyond), body chunks of at most {@value #MAX_CHUNK} bytes.
 */
public final class HttpProxyConnection {
    public static final int MAX_INITIAL_LINE = 8 * 1024;
    public static final int MAX_HEADER_SIZE = 16 * 1024;
    public static final int MAX_CHUNK = 16 * 1024;
    /** Upstream responses may carry larger headers than we accept from clients (cookies, CSP...). */
    static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
    /** The most of a response body held for a body fault; larger bodies pass unchanged, streamed. */
    public static final int MAX_BODY_FOR_FAULTS = 1024 * 1024;
    static final String CODEC = "http-codec";
    static final String HANDLER = "http-proxy";
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Channel client;
    private final UpstreamConnector connector;
    private final Supplier<List<HttpRules.Rule>> rules;
    private final SplittableRandom random;
    private final ListenerStats listenerStats;
    private final HttpListenerStats stats;
    private final long responseTimeoutNanos;
    private final Map<Object, Object> state = new HashMap<>();
    private final ArrayDeque<HttpObject> fromClient = new ArrayDeque<>();
    private final ArrayDeque<HttpObject> fromUpstream = new ArrayDeque<>();
    private Channel upstream;
    private boolean connecting;
    private RequestExchange exchange;
    private ChannelFuture lastUpstreamWrite;
    private ChannelFuture lastClientWrite;
    private boolean clientInputDone;
    private boolean closed;
    private boolean drainingClient;
    private boolean drainingUpstream;
    private boolean skipEmptyLast;

    private HttpProxyConnection(Channel client, UpstreamConnector connector, Supplier<List<HttpRules.Rule>> rules,
                                SplittableRandom random, ListenerStats listenerStats, Duration responseTimeout) {
        this.client = client;
        this.connector = connector;
        this.rules = rules;
        this.random = random;
        this.listenerStats = listenerStats;
        this.stats = listenerStats.http;
        this.responseTimeoutNanos = responseTimeout.toNanos();
    }

    /**
     * Sets up {@code client} (AUTO_READ off) as an HTTP/1.1 proxy connection and starts reading.
     * {@code responseTimeout}: from the request's last byte sent to the response head (0 = none).
     */
    public static HttpProxyConnection start(Channel client, UpstreamConnector connector,
                                            Supplier<List<HttpRules.Rule>> rules, SplittableRandom random,
                                            ListenerStats stats, Duration responseTimeout) {
        HttpProxyConnection c = new HttpProxyConnection(client, connector, rules, random, stats, responseTimeout);
        client.pipeline().addLast(CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK)));
        client.pipeline().addLast(HANDLER, c.new ClientSide());
        client.read();
        return c;
    }

    SplittableRandom random() {
        return random;
    }

    long nanoTime() {
        return client.eventLoop().ticker().nanoTime();
    }

    Map<Object, Object> state() {
        return state;
    }

    // ---------------------------------------------------------------- client side

    private void drainClient() {
        if (drainingClient) {
            return; // the loop further up the stack continues with the new state
        }
        drainingClient = true;
        try {
            while (!closed) {
                RequestExchange ex = exchange;
                if (ex == null) {
                    HttpObject msg = fromClient.poll();
                    if (msg == null) {
                        readClientOrFinish();
                        return;
                    }
                    if (msg instanceof HttpRequest request) {
                        begin(request);
                    } else {
                        ReferenceCountUtil.release(msg); // rest of a request already refused
                    }
                    continue;
                }
                if (ex.requestStage == RequestStage.DECIDING || ex.requestStage == RequestStage.DONE) {
                    return; // a timer, a connect or the response moves on from here
                }
                HttpObject msg = fromClient.poll();
                if (msg == null) {
                    requestMoreBody(ex);
                    return;
                }
                bodyPart(ex, msg);
            }
        } finally {
            drainingClient = false;
        }
    }

    private void readClientOrFinish() {
        if (clientInputDone) {
            closeAfterWrites();
        } else {
            client.read();
        }
    }

    private void begin(HttpRequest request) {
        stats.requests.increment();
        if (request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(request);
            refuseMalformed(request.decoderResult().cause());
            return;
        }
        HttpResponseStatus refusal = protocolRefusal(request);
        RequestExchange ex = new RequestExchange(this, request);
        exchange = ex;
        ex.closeAfter = !HttpUtil.isKeepAlive(request);
        ex.http10 = request.protocolVersion().minorVersion() == 0;
        if (refusal != null) {
            stats.unsupported.increment();
            answer(ex, new RequestExchange.Answer(refusal, new DefaultHttpHeaders(), refusal.reasonPhrase() + "\n"), true);
            return;
        }
        ex.expectContinue = HttpUtil.is100ContinueExpected(request);
        evaluateRules(ex);
        if (ex.requestDelayNanos > 0) {
            ex.requestTimer = client.eventLoop().schedule(() -> {
                ex.requestTimer = null;
                proceed(ex);
            }, ex.requestDelayNanos, TimeUnit.NANOSECONDS);
        } else {
            proceed(ex);
        }
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

    private void evaluateRules(RequestExchange ex) {
        for (HttpRules.Rule rule : rules.get()) {
            if (!rule.match().matches(ex.view)) {
                continue;
            }
            rule.active().stats().matched.increment();
            double p = rule.probability();
            if (p < 1.0 && !(random.nextDouble() < p)) {
                continue;
            }
            ex.currentRule = rule;
            rule.fault().onRequest(ex);
            if (ex.decided()) {
                break;
            }
        }
        ex.currentRule = null;
    }

    private void proceed(RequestExchange ex) {
        if (closed || ex != exchange) {
            return;
        }
        if (ex.drop || ex.reset) {
            stats.droppedByFault.increment();
            if (ex.reset) {
                reset();
            } else {
                close();
            }
            return;
        }
        if (ex.answer != null) {
            stats.answeredByFault.increment();
            answer(ex, ex.answer, false);
            return;
        }
        forward(ex);
    }

    private void forward(RequestExchange ex) {
        if (upstream != null && upstream.isActive()) {
            sendHead(ex);
            return;
        }
        if (connecting) {
            return;
        }
        connecting = true;
        UpstreamResponseDecoder decoder = new UpstreamResponseDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_RESPONSE_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK), this::headInFlight);
        connector.connect(client, decoder, new HttpRequestEncoder(), new UpstreamSide()).addListener((ChannelFuture f) -> {
            connecting = false;
            if (closed) {
                f.channel().close();
                return;
            }
            if (!f.isSuccess()) {
                connector.connectFailed(f.cause()); // counts upstreamConnectFailures and logs once per burst
                boolean timeout = f.cause() instanceof ConnectTimeoutException;
                (timeout ? stats.gatewayTimeout : stats.badGateway).increment();
                HttpResponseStatus status = timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
                answer(ex, plain(status, "upstream " + (timeout ? "connect timed out" : "unreachable")), false);
                return;
            }
            upstream = f.channel();
            upstream.read();
            if (ex == exchange) {
                sendHead(ex);
            }
        });
    }

    private boolean headInFlight() {
        RequestExchange ex = exchange;
        return ex != null && ex.request != null && ex.request.method().equals(HttpMethod.HEAD);
    }

    private void sendHead(RequestExchange ex) {
        HttpRequest request = ex.request;
        HopByHop.strip(request.headers());
        if (ex.http10 && !request.headers().contains(HttpHeaderNames.HOST)) {
            request.headers().set(HttpHeaderNames.HOST, hostOf(upstream));
        }
        // Keep-alive to the upstream whatever the client speaks: its connection is ours.
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (ex.expectContinue) {
            // We vouch for the upstream: it gets the body with the head, the client gets 100 from us.
            request.headers().remove(HttpHeaderNames.EXPECT);
            client.pipeline().context(CODEC).writeAndFlush(Unpooled.wrappedBuffer(CONTINUE));
        }
        stats.forwarded.increment();
        ex.requestStage = RequestStage.FORWARDING;
        lastUpstreamWrite = upstream.write(request);
        upstream.read();
        drainClient();
    }

    private static String hostOf(Channel ch) {
        return ch.remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getHostString() + ":" + a.getPort() : "localhost";
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
        if (ex.requestStage == RequestStage.FORWARDING) {
            lastUpstreamWrite = upstream.write(content);
        } else {
            content.release();
        }
        if (last) {
            boolean forwarded = ex.requestStage == RequestStage.FORWARDING;
            ex.requestStage = RequestStage.DONE;
            if (forwarded) {
                upstream.flush();
                lastUpstreamWrite = null;
                startResponseTimer(ex);
            }
            finishIfComplete(ex);
        }
    }

    /** Reads more of the request body once what was read reached the upstream (backpressure). */
    private void requestMoreBody(RequestExchange ex) {
        if (clientInputDone) {
            return; // the decoder already delivered the end (or a premature-close failure)
        }
        ChannelFuture written = lastUpstreamWrite;
        lastUpstreamWrite = null;
        if (ex.requestStage != RequestStage.FORWARDING || written == null) {
            client.read();
            return;
        }
        upstream.flush();
        written.addListener(f -> {
            if (!f.isSuccess()) {
                return; // the upstream's close is handled in upstreamClosed
            }
            if (!closed && exchange == ex) {
                client.read();
            }
        });
    }

    private void refuseMalformed(Throwable cause) {
        HttpResponseStatus status;
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
        RequestExchange ex = exchange;
        if (ex == null) {
            ex = new RequestExchange(this, null);
            exchange = ex;
        }
        // The decoder discards everything after a malformed message: the connection cannot go on.
        answer(ex, plain(status, status.reasonPhrase() + "\n"), true);
    }

    private static RequestExchange.Answer plain(HttpResponseStatus status, String body) {
        return new RequestExchange.Answer(status, new DefaultHttpHeaders(), body);
    }

    /** Answers here instead of the upstream; the rest of the request body is read and discarded. */
    private void answer(RequestExchange ex, RequestExchange.Answer answer, boolean mustClose) {
        if (closed) {
            return;
        }
        if (ex.responseStage != ResponseStage.WAITING) {
            close(); // part of another response is out already: closing is all that is left
            return;
        }
        ex.cancelTimers();
        if (ex.requestStage == RequestStage.FORWARDING) {
            dropUpstream(); // it holds part of a request it will never complete
        }
        if (ex.requestStage != RequestStage.DONE) {
            ex.requestStage = RequestStage.DISCARDING;
        }
        // A client waiting for 100 Continue may never send the body: do not wait for it.
        boolean bodyMayNeverCome = ex.expectContinue && ex.requestStage != RequestStage.DONE;
        ex.closeAfter |= mustClose || bodyMayNeverCome;
        boolean head = ex.request != null && ex.request.method().equals(HttpMethod.HEAD);
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(),
                head || body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        HttpHeaders h = response.headers();
        h.add(answer.headers());
        HopByHop.strip(h);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (body.length > 0 && !h.contains(HttpHeaderNames.CONTENT_TYPE)) {
            h.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        }
        setConnectionHeader(ex, h);
        ex.responseStage = ResponseStage.DONE;
        lastClientWrite = client.writeAndFlush(response);
        if (ex.closeAfter && ex.requestStage != RequestStage.DONE) {
            closeAfterWrites();
            return;
        }
        finishIfComplete(ex);
        drainClient(); // the rest of the request body is read and discarded
    }

    private void setConnectionHeader(RequestExchange ex, HttpHeaders h) {
        if (ex.closeAfter) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (ex.http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** Both directions of the exchange are complete: close, or go on with the next request. */
    private void finishIfComplete(RequestExchange ex) {
        if (ex != exchange || ex.requestStage != RequestStage.DONE || ex.responseStage != ResponseStage.DONE) {
            return;
        }
        ex.cancelTimers();
        exchange = null;
        if (ex.upstreamWillClose) {
            dropUpstream();
        }
        if (ex.closeAfter) {
            closeAfterWrites();
            return;
        }
        drainClient();
    }

    // ---------------------------------------------------------------- upstream side

    private void startResponseTimer(RequestExchange ex) {
        if (responseTimeoutNanos <= 0 || ex.responseStage != ResponseStage.WAITING) {
            return;
        }
        ex.responseTimer = client.eventLoop().schedule(() -> {
            ex.responseTimer = null;
            if (ex == exchange && ex.responseStage == ResponseStage.WAITING && !closed) {
                stats.gatewayTimeout.increment();
                dropUpstream(); // a late answer must not be taken for the next request's
                answer(ex, plain(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream response timed out\n"), false);
            }
        }, responseTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void drainUpstream() {
        if (drainingUpstream) {
            return;
        }
        drainingUpstream = true;
        try {
            while (!closed) {
                RequestExchange ex = exchange;
                if (ex != null && ex.responseHeld) {
                    return;
                }
                HttpObject msg = fromUpstream.peek();
                if (msg == null) {
                    readUpstreamOrGiveUp(ex);
                    return;
                }
                if (ex == null || ex.responseStage == ResponseStage.DONE || ex.requestStage == RequestStage.DECIDING
                        || ex.requestStage == RequestStage.DISCARDING) {
                    // Nothing asked for it: an upstream that talks out of turn is not to be trusted.
                    fromUpstream.poll();
                    ReferenceCountUtil.release(msg);
                    dropUpstream();
                    continue;
                }
                if (msg instanceof HttpResponse response && ex.responseStage == ResponseStage.WAITING
                        && response.decoderResult().isSuccess() && response.status().code() >= 200
                        && ex.responseDelayNanos > 0 && !ex.responseDelayServed) {
                    holdResponse(ex);
                    return;
                }
                fromUpstream.poll();
                if (msg instanceof HttpResponse response) {
                    responseHead(ex, response);
                } else {
                    responseContent(ex, (HttpContent) msg);
                }
            }
        } finally {
            drainingUpstream = false;
        }
    }

    private void holdResponse(RequestExchange ex) {
        ex.responseHeld = true;
        ex.responseDelayServed = true;
        cancelResponseTimer(ex);
        ex.responseDelayTimer = client.eventLoop().schedule(() -> {
            ex.responseDelayTimer = null;
            ex.responseHeld = false;
            drainUpstream();
        }, ex.responseDelayNanos, TimeUnit.NANOSECONDS);
    }

    private static void cancelResponseTimer(RequestExchange ex) {
        if (ex.responseTimer != null) {
            ex.responseTimer.cancel(false);
            ex.responseTimer = null;
        }
    }

    /** Reads the upstream again once what it gave reached the client; notices an upstream that went away. */
    private void readUpstreamOrGiveUp(RequestExchange ex) {
        Channel up = upstream;
        if (up == null) {
            if (ex != null && ex.requestStage != RequestStage.DECIDING && ex.requestStage != RequestStage.DISCARDING
                    && ex.responseStage != ResponseStage.DONE) {
                upstreamFailedDuring(ex, "upstream closed the connection before the response was complete");
            }
            return;
        }
        ChannelFuture written = lastClientWrite;
        lastClientWrite = null;
        if (written == null || written.isDone()) {
            if (written == null || written.isSuccess()) {
                up.read();
            }
            return;
        }
        client.flush();
        written.addListener(f -> {
            if (f.isSuccess() && up == upstream && !closed) {
                up.read();
            }
        });
    }

    private void responseHead(RequestExchange ex, HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            ReferenceCountUtil.release(response);
            upstreamFailedDuring(ex, "upstream sent an invalid response");
            return;
        }
        int status = response.status().code();
        if (status == 101) {
            ReferenceCountUtil.release(response);
            upstreamFailedDuring(ex, "upstream switched protocols, which this proxy does not relay");
            return;
        }
        if (status >= 100 && status < 200) {
            // Informational: our own 100 Continue already went to the client; 103 hints are dropped.
            ReferenceCountUtil.release(response);
            skipEmptyLast = true;
            return;
        }
        if (ex.responseStage != ResponseStage.WAITING) {
            ReferenceCountUtil.release(response);
            upstreamFailedDuring(ex, "upstream sent a second response head");
            return;
        }
        cancelResponseTimer(ex);
        ex.upstreamWillClose = !HttpUtil.isKeepAlive(response);
        HttpHeaders h = response.headers();
        HopByHop.strip(h);
        for (Consumer<HttpResponse> edit : ex.responseEdits) {
            edit.accept(response);
        }
        boolean clientHttp10 = ex.http10;
        int code = response.status().code();
        boolean bodyAllowed = !ex.request.method().equals(HttpMethod.HEAD) && code != 204 && code != 304
                && code >= 200;
        if (bodyAllowed && !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)) {
            // Close-delimited upstream body: re-frame as chunked, or close after it for HTTP/1.0 clients.
            if (clientHttp10) {
                ex.closeAfter = true;
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        setConnectionHeader(ex, h);
        ex.responseStage = ResponseStage.STREAMING;
        String encoding = h.get(HttpHeaderNames.CONTENT_ENCODING, "identity");
        if (!ex.bodyTransforms.isEmpty() && bodyAllowed && encoding.equalsIgnoreCase("identity")) {
            // The head waits for the rewritten body (its length changes).
            ex.heldHead = response;
            ex.heldBody = client.alloc().compositeBuffer(64);
            return;
        }
        lastClientWrite = client.write(response);
        if (response instanceof LastHttpContent) {
            endOfResponse(ex);
        }
    }

    private void responseContent(RequestExchange ex, HttpContent content) {
        if (skipEmptyLast && content instanceof LastHttpContent && ex.responseStage == ResponseStage.WAITING) {
            skipEmptyLast = false;
            content.release();
            return;
        }
        if (content.decoderResult().isFailure() || ex.responseStage != ResponseStage.STREAMING) {
            content.release();
            upstreamFailedDuring(ex, "upstream sent an invalid response body");
            return;
        }
        if (ex.heldHead != null) {
            collectBody(ex, content);
            return;
        }
        lastClientWrite = client.write(content);
        if (content instanceof LastHttpContent) {
            endOfResponse(ex);
        }
    }

    /** Holds a response body for body faults, up to {@link #MAX_BODY_FOR_FAULTS}; then rewrites it. */
    private void collectBody(RequestExchange ex, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        ex.heldBody.addComponent(true, content.content().retain());
        content.release();
        HttpResponse head = ex.heldHead;
        if (ex.heldBody.readableBytes() > MAX_BODY_FOR_FAULTS) {
            // Too large to hold: it goes on as the upstream framed it, unchanged.
            ByteBuf soFar = ex.heldBody;
            ex.heldBody = null;
            ex.heldHead = null;
            client.write(head);
            lastClientWrite = client.write(last ? new DefaultLastHttpContent(soFar) : new DefaultHttpContent(soFar));
            if (last) {
                endOfResponse(ex);
            }
            return;
        }
        if (!last) {
            return;
        }
        byte[] body = ByteBufUtil.getBytes(ex.heldBody);
        ex.releaseHeldBody();
        for (HttpExchange.BodyTransform transform : ex.bodyTransforms) {
            byte[] rewritten = transform.apply(head, body);
            if (rewritten != null) {
                body = rewritten;
            }
        }
        head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        client.write(head);
        lastClientWrite = client.write(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)));
        endOfResponse(ex);
    }

    private void endOfResponse(RequestExchange ex) {
        ex.responseStage = ResponseStage.DONE;
        client.flush();
        if (ex.requestStage != RequestStage.DONE) {
            // The upstream answered before the request was complete: it will not read the rest; nor do we.
            ex.closeAfter = true;
            dropUpstream();
            closeAfterWrites();
            return;
        }
        finishIfComplete(ex);
    }

    private void upstreamFailedDuring(RequestExchange ex, String why) {
        dropUpstream();
        if (ex.responseStage == ResponseStage.WAITING) {
            stats.badGateway.increment();
            answer(ex, plain(HttpResponseStatus.BAD_GATEWAY, why + "\n"), false);
        } else {
            close(); // the client has part of a response: only a close tells it something broke
        }
    }

    private void upstreamClosed(Channel which) {
        if (which != upstream) {
            return;
        }
        upstream = null;
        drainUpstream(); // plays out what was decoded before the close, then notices the loss
    }

    /** Forgets the upstream connection; the next forwarded request opens a new one. */
    private void dropUpstream() {
        Channel up = upstream;
        upstream = null;
        lastUpstreamWrite = null;
        skipEmptyLast = false;
        releaseAll(fromUpstream);
        if (up != null) {
            up.close();
        }
    }

    // ---------------------------------------------------------------- closing

    private void closeAfterWrites() {
        if (closed) {
            return;
        }
        closed = true;
        cleanUp();
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        cleanUp();
        client.close();
    }

    void reset() {
        if (!closed && client.isActive()) {
            client.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        close();
    }

    private void cleanUp() {
        if (exchange != null) {
            exchange.cancelTimers();
            exchange.releaseHeldBody();
        }
        releaseAll(fromClient);
        dropUpstream();
    }

    private static void releaseAll(ArrayDeque<HttpObject> queue) {
        HttpObject msg;
        while ((msg = queue.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    // ---------------------------------------------------------------- handlers

    private final class ClientSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closed || !(msg instanceof HttpObject http)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            listenerStats.bytesUpstream.add(msg instanceof HttpContent c ? c.content().readableBytes() : 0);
            fromClient.add(http);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            drainClient();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                clientInputDone = true;
                drainClient();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            close(); // resets and broken pipes are normal proxy life; never log per connection
        }
    }

    private final class UpstreamSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closed || ctx.channel() != upstream || !(msg instanceof HttpObject http)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            listenerStats.bytesDownstream.add(msg instanceof HttpContent c ? c.content().readableBytes() : 0);
            fromUpstream.add(http);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (ctx.channel() == upstream) {
                drainUpstream();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // After the codec delivered what it decoded at the close (the end of a close-delimited body).
            upstreamClosed(ctx.channel());
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.channel().close(); // upstreamClosed decides what the client gets
        }
    }
}
