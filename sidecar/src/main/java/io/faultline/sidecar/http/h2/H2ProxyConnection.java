package io.faultline.sidecar.http.h2;

import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.http.HttpListenerStats;
import io.faultline.sidecar.http.HttpRules;
import io.faultline.sidecar.http.UpstreamConnector;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One h2c (HTTP/2, prior knowledge) client connection of an http listener and its HTTP/2 upstream
 * connection, on one event loop. Client streams map 1:1 to upstream streams. Each new stream is
 * matched against the listener's current rules (:method, :path, :authority as Host, headers), so a
 * config change applies from the next stream on, also on an open connection.
 *
 * <p>Backpressure is HTTP/2 flow control end to end: the bytes of a DATA frame are given back to
 * its sender (WINDOW_UPDATE) only once the frame was written on the other connection, so what waits
 * here per stream is bounded by the stream window (64 KiB), and the streams per connection by
 * {@value #MAX_CONCURRENT_STREAMS}. Request header blocks are limited to
 * {@value #MAX_HEADER_LIST_SIZE} bytes, response header blocks to {@value #MAX_RESPONSE_HEADER_LIST_SIZE}.
 * The upstream connection opens at the first forwarded stream and again if it closed or sent GOAWAY.
 */
public final class H2ProxyConnection {
    public static final int MAX_CONCURRENT_STREAMS = 128;
    public static final int MAX_HEADER_LIST_SIZE = 16 * 1024;
    public static final int MAX_RESPONSE_HEADER_LIST_SIZE = 64 * 1024;
    static final String CODEC = "h2-codec";
    static final String HANDLER = "h2-proxy";

    private final Channel client;
    private final UpstreamConnector connector;
    private final Supplier<List<HttpRules.Rule>> rules;
    final SplittableRandom random;
    final ListenerStats listenerStats;
    private final HttpListenerStats stats;
    private final long responseTimeoutNanos;
    final Map<Object, Object> state = new HashMap<>();
    private final IntObjectMap<H2Stream> streams = new IntObjectHashMap<>();
    private final ArrayDeque<H2Stream> waitingForUpstream = new ArrayDeque<>();
    private final Set<H2UpstreamLink> links = new LinkedHashSet<>();
    private H2UpstreamLink upstream;
    private boolean connecting;
    private boolean closed;
    private boolean clientInputDone;

    private H2ProxyConnection(Channel client, UpstreamConnector connector, Supplier<List<HttpRules.Rule>> rules,
                              SplittableRandom random, ListenerStats listenerStats, Duration responseTimeout) {
        this.client = client;
        this.responseTimeoutNanos = responseTimeout.toNanos();
        this.connector = connector;
        this.rules = rules;
        this.random = random;
        this.listenerStats = listenerStats;
        this.stats = listenerStats.http;
    }

    /**
     * Sets up {@code client} (AUTO_READ off) as an h2c proxy connection and starts reading.
     * {@code responseTimeout}: per stream, from the request's end sent upstream to the response head (0 = none).
     */
    public static H2ProxyConnection start(Channel client, UpstreamConnector connector,
                                          Supplier<List<HttpRules.Rule>> rules, SplittableRandom random,
                                          ListenerStats stats, Duration responseTimeout) {
        H2ProxyConnection c = new H2ProxyConnection(client, connector, rules, random, stats, responseTimeout);
        stats.http.h2Connections.increment();
        client.pipeline().addLast(CODEC, Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .maxHeaderListSize(MAX_HEADER_LIST_SIZE))
                .gracefulShutdownTimeoutMillis(0) // a close is a close: no waiting for open streams
                .build());
        client.pipeline().addLast(HANDLER, c.new ClientSide());
        client.read();
        return c;
    }

    Channel client() {
        return client;
    }

    long nanoTime() {
        return client.eventLoop().ticker().nanoTime();
    }

    // ---------------------------------------------------------------- requests

    private void newStream(Http2HeadersFrame head) {
        stats.requests.increment();
        HttpRequest view;
        try {
            view = H2Headers.requestView(head.headers());
        } catch (IllegalArgumentException e) {
            stats.badRequests.increment();
            client.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR).stream(head.stream()));
            return;
        }
        H2Stream s = new H2Stream(this, head.stream(), head.headers(), head.isEndStream(), view);
        s.requestEndReceived = head.isEndStream();
        streams.put(head.stream().id(), s);
        if (head.headers().path() == null || view.method().equals(HttpMethod.CONNECT)) {
            stats.unsupported.increment();
            answer(s, new H2Stream.Answer(HttpResponseStatus.NOT_IMPLEMENTED, new DefaultHttpHeaders(),
                    "CONNECT is not relayed over h2\n"));
            return;
        }
        evaluateRules(s);
        if (s.requestDelayNanos > 0) {
            s.requestTimer = client.eventLoop().schedule(() -> {
                s.requestTimer = null;
                proceed(s);
            }, s.requestDelayNanos, TimeUnit.NANOSECONDS);
        } else {
            proceed(s);
        }
    }

    private void evaluateRules(H2Stream s) {
        HttpRules.evaluate(rules.get(), s.view, random, s, this::offeredOnH2, rule -> {
            s.currentRule = rule;
            s.rulesActed = true;
        });
        s.currentRule = null;
    }

    /** A drawn rule whose fault h2 does not offer leaves the stream untouched, counted. */
    private boolean offeredOnH2(HttpRules.Rule rule) {
        if (H2Faults.supported(rule.fault())) {
            return true;
        }
        stats.h2UnsupportedFaults.increment();
        return false;
    }

    private void proceed(H2Stream s) {
        if (closed || s.stage != H2Stream.Stage.DECIDING) {
            return;
        }
        if (s.answer != null) {
            stats.answeredByFault.increment();
            answer(s, s.answer);
            return;
        }
        if (upstream != null && upstream.usable()) {
            send(s);
            return;
        }
        waitingForUpstream.add(s);
        connect();
    }

    private void connect() {
        if (connecting) {
            return;
        }
        connecting = true;
        H2UpstreamLink link = new H2UpstreamLink(this);
        Http2Settings settings = Http2Settings.defaultSettings()
                .pushEnabled(false)
                .maxHeaderListSize(MAX_RESPONSE_HEADER_LIST_SIZE);
        connector.connectH2(client, Http2FrameCodecBuilder.forClient()
                .initialSettings(settings)
                .encoderEnforceMaxConcurrentStreams(true) // beyond the upstream's limit streams wait their turn
                .gracefulShutdownTimeoutMillis(0)
                .build(), link).addListener((ChannelFuture f) -> {
                    connecting = false;
                    if (closed) {
                        f.channel().close();
                        return;
                    }
                    if (!f.isSuccess()) {
                        connectFailed(f.cause());
                        return;
                    }
                    links.add(link);
                    f.channel().closeFuture().addListener(x -> links.remove(link));
                    upstream = link;
                    f.channel().read();
                    H2Stream s;
                    while ((s = waitingForUpstream.poll()) != null) {
                        if (s.stage == H2Stream.Stage.DECIDING) {
                            send(s);
                        }
                    }
                    f.channel().flush();
                });
    }

    private void connectFailed(Throwable cause) {
        connector.connectFailed(cause);
        boolean timeout = cause instanceof ConnectTimeoutException;
        H2Stream s;
        while ((s = waitingForUpstream.poll()) != null) {
            if (s.stage != H2Stream.Stage.DECIDING) {
                continue;
            }
            (timeout ? stats.gatewayTimeout : stats.badGateway).increment();
            String why = timeout ? "upstream connect timed out"
                    : cause instanceof UpstreamConnector.H2Refused ? cause.getMessage() : "upstream unreachable";
            answer(s, new H2Stream.Answer(timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY,
                    new DefaultHttpHeaders(), why + "\n"));
        }
    }

    private void send(H2Stream s) {
        H2UpstreamLink link = upstream;
        Http2Headers headers = s.rulesActed ? H2Headers.forwardedRequest(s.requestHeaders, s.view) : s.requestHeaders;
        s.upstreamStream = link.open(s);
        s.stage = H2Stream.Stage.FORWARDING;
        stats.forwarded.increment();
        link.channel().write(new DefaultHttp2HeadersFrame(headers, s.requestEndsWithHeaders).stream(s.upstreamStream))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        upstreamStreamClosed(s); // refused (GOAWAY, limits): 502 unless the response began
                    }
                });
        link.register(s);
        if (s.requestEndsWithHeaders) {
            startResponseTimeout(s);
        }
        Http2StreamFrame frame;
        while ((frame = s.toUpstream.poll()) != null) {
            relayToUpstream(s, frame);
        }
        link.channel().flush();
    }

    private void requestFrame(H2Stream s, Http2StreamFrame frame) {
        if (frame instanceof Http2HeadersFrame h && h.isEndStream() || frame instanceof Http2DataFrame d && d.isEndStream()) {
            s.requestEndReceived = true;
        }
        switch (s.stage) {
            case DECIDING -> s.toUpstream.add(frame);
            case FORWARDING -> {
                relayToUpstream(s, frame);
                s.link.channel().flush();
            }
            default -> dropRequestFrame(s, frame);
        }
    }

    private void relayToUpstream(H2Stream s, Http2StreamFrame frame) {
        Channel up = s.link.channel();
        if (s.upstreamStream.state() == Http2Stream.State.CLOSED || !up.isActive()) {
            dropRequestFrame(s, frame); // the upstream already finished the stream (e.g. answered early)
            return;
        }
        boolean end = false;
        if (frame instanceof Http2DataFrame d) {
            int bytes = d.initialFlowControlledBytes();
            end = d.isEndStream();
            // The new frame takes over d's buffer; the client gets the bytes back once it is written.
            up.write(new DefaultHttp2DataFrame(d.content(), end).stream(s.upstreamStream))
                    .addListener(f -> consume(client, s.clientStream, bytes));
        } else if (frame instanceof Http2HeadersFrame h) {
            end = h.isEndStream();
            up.write(new DefaultHttp2HeadersFrame(h.headers(), end).stream(s.upstreamStream));
        } else {
            ReferenceCountUtil.release(frame);
        }
        if (end) {
            startResponseTimeout(s);
        }
    }

    /** From the request's end sent upstream to the response head: 504 when the upstream takes too long. */
    private void startResponseTimeout(H2Stream s) {
        if (responseTimeoutNanos <= 0 || s.responseStarted || !s.toClient.isEmpty()) {
            return;
        }
        s.responseTimeoutTimer = client.eventLoop().schedule(() -> {
            s.responseTimeoutTimer = null;
            if (!closed && s.stage == H2Stream.Stage.FORWARDING && !s.responseStarted && s.toClient.isEmpty()) {
                stats.gatewayTimeout.increment();
                answer(s, new H2Stream.Answer(HttpResponseStatus.GATEWAY_TIMEOUT, new DefaultHttpHeaders(),
                        "upstream response timed out\n"));
            }
        }, responseTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void dropRequestFrame(H2Stream s, Http2StreamFrame frame) {
        if (frame instanceof Http2DataFrame d) {
            consume(client, s.clientStream, d.initialFlowControlledBytes());
        }
        ReferenceCountUtil.release(frame);
    }

    /** Gives {@code bytes} of a stream's flow-control window back to the peer that sent them. */
    private static void consume(Channel ch, Http2FrameStream stream, int bytes) {
        if (bytes > 0 && ch.isActive() && stream.state() != Http2Stream.State.CLOSED) {
            ch.writeAndFlush(new DefaultHttp2WindowUpdateFrame(bytes).stream(stream));
        }
    }

    // ---------------------------------------------------------------- local answers

    /** Answers the stream here; the upstream stream, if any, is cancelled; request frames are discarded. */
    private void answer(H2Stream s, H2Stream.Answer a) {
        s.cancelTimers();
        if (s.stage == H2Stream.Stage.FORWARDING) {
            resetUpstream(s, Http2Error.CANCEL);
        }
        s.stage = H2Stream.Stage.ANSWERED;
        Http2StreamFrame held;
        while ((held = s.toUpstream.poll()) != null) {
            dropRequestFrame(s, held);
        }
        Http2Headers h = new DefaultHttp2Headers(false).status(a.status().codeAsText());
        for (Map.Entry<String, String> e : a.headers()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            String value = name.equals("grpc-message") ? H2Headers.percentEncodeGrpcMessage(e.getValue()) : e.getValue();
            H2Headers.addRegular(h, name, value);
        }
        // A gRPC status answer is "trailers-only": one HEADERS frame that ends the stream, no body.
        boolean trailersOnly = h.contains("grpc-status");
        boolean head = s.view.method().equals(HttpMethod.HEAD);
        byte[] body = trailersOnly ? new byte[0] : a.body().getBytes(StandardCharsets.UTF_8);
        if (!trailersOnly) {
            h.remove("content-length");
            h.setInt("content-length", body.length);
            if (body.length > 0 && !h.contains("content-type")) {
                h.set("content-type", "text/plain; charset=utf-8");
            }
        }
        boolean withBody = body.length > 0 && !head;
        client.write(new DefaultHttp2HeadersFrame(h, !withBody).stream(s.clientStream));
        if (withBody) {
            client.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true).stream(s.clientStream));
        }
        client.flush();
    }

    // ---------------------------------------------------------------- responses

    void fromUpstream(H2Stream s, Http2StreamFrame frame) {
        if (s.stage != H2Stream.Stage.FORWARDING) {
            dropResponseFrame(s, frame);
            return;
        }
        if (frame instanceof Http2HeadersFrame h && h.isEndStream() || frame instanceof Http2DataFrame d && d.isEndStream()) {
            s.responseEndReceived = true;
        }
        if (s.responseHeld || !s.toClient.isEmpty()) {
            s.toClient.add(frame);
            return;
        }
        if (isFinalHead(s, frame)) {
            s.cancelResponseTimeout();
        }
        if (isFinalHead(s, frame) && s.responseDelayNanos > 0 && !s.responseDelayServed) {
            s.responseHeld = true;
            s.responseDelayServed = true;
            s.toClient.add(frame);
            s.responseDelayTimer = client.eventLoop().schedule(() -> {
                s.responseDelayTimer = null;
                s.responseHeld = false;
                drainToClient(s);
            }, s.responseDelayNanos, TimeUnit.NANOSECONDS);
            return;
        }
        toClient(s, frame);
    }

    private void drainToClient(H2Stream s) {
        Http2StreamFrame frame;
        while (!s.responseHeld && (frame = s.toClient.poll()) != null) {
            toClient(s, frame);
        }
        client.flush();
        if (s.link != null) {
            s.link.channel().flush(); // window updates for what just went out
        }
    }

    private static boolean isFinalHead(H2Stream s, Http2StreamFrame frame) {
        if (s.responseStarted || !(frame instanceof Http2HeadersFrame h)) {
            return false;
        }
        CharSequence status = h.headers().status();
        return status == null || status.length() == 0 || status.charAt(0) != '1';
    }

    private void toClient(H2Stream s, Http2StreamFrame frame) {
        if (frame instanceof Http2HeadersFrame h) {
            Http2Headers out = h.headers();
            if (isFinalHead(s, frame)) {
                s.responseStarted = true;
                if (!s.responseEdits.isEmpty()) {
                    HttpResponse response = H2Headers.responseView(out);
                    for (Consumer<HttpResponse> edit : s.responseEdits) {
                        edit.accept(response);
                    }
                    out = H2Headers.fromResponse(response);
                }
            }
            client.write(new DefaultHttp2HeadersFrame(out, h.isEndStream()).stream(s.clientStream));
        } else if (frame instanceof Http2DataFrame d) {
            int bytes = d.initialFlowControlledBytes();
            Channel up = s.link.channel();
            client.write(new DefaultHttp2DataFrame(d.content(), d.isEndStream()).stream(s.clientStream))
                    .addListener(f -> consume(up, s.upstreamStream, bytes));
        } else {
            ReferenceCountUtil.release(frame);
        }
    }

    private void dropResponseFrame(H2Stream s, Http2StreamFrame frame) {
        if (frame instanceof Http2DataFrame d && s.link != null) {
            consume(s.link.channel(), s.upstreamStream, d.initialFlowControlledBytes());
        }
        ReferenceCountUtil.release(frame);
    }

    // ---------------------------------------------------------------- resets and closes

    void upstreamReset(H2Stream s, long errorCode) {
        if (s.stage != H2Stream.Stage.FORWARDING) {
            return;
        }
        if (errorCode == Http2Error.NO_ERROR.code() && s.responseEndReceived) {
            return; // "stop sending the request, the response is complete" (RFC 9113 §8.1)
        }
        resetClient(s, errorCode);
    }

    /** The upstream stream closed (or was refused, or its connection went): the client learns what it can. */
    void upstreamStreamClosed(H2Stream s) {
        if (s.stage != H2Stream.Stage.FORWARDING || s.responseEndReceived) {
            return; // finished normally; held frames still go out
        }
        if (!s.responseStarted && s.toClient.isEmpty()) {
            stats.badGateway.increment();
            answer(s, new H2Stream.Answer(HttpResponseStatus.BAD_GATEWAY, new DefaultHttpHeaders(),
                    "upstream closed the stream before responding\n"));
        } else {
            resetClient(s, Http2Error.INTERNAL_ERROR.code());
        }
    }

    void upstreamGone(H2UpstreamLink link) {
        links.remove(link);
        if (upstream == link) {
            upstream = null;
        }
    }

    private void resetClient(H2Stream s, long errorCode) {
        streams.remove(s.clientStream.id());
        if (s.link != null) {
            s.link.forget(s);
        }
        s.discard();
        if (s.clientStream.state() != Http2Stream.State.CLOSED) {
            client.writeAndFlush(new DefaultHttp2ResetFrame(errorCode).stream(s.clientStream));
        }
        closeIfDone();
    }

    private void resetUpstream(H2Stream s, Http2Error error) {
        H2UpstreamLink link = s.link;
        if (link == null || s.upstreamStream == null) {
            return;
        }
        link.forget(s);
        if (s.upstreamStream.state() != Http2Stream.State.CLOSED && link.channel().isActive()) {
            link.channel().writeAndFlush(new DefaultHttp2ResetFrame(error).stream(s.upstreamStream));
        }
    }

    private void clientStreamEnded(H2Stream s, Http2Error upstreamReset) {
        streams.remove(s.clientStream.id());
        if (s.stage == H2Stream.Stage.FORWARDING) {
            resetUpstream(s, upstreamReset);
        } else if (s.link != null) {
            s.link.forget(s);
        }
        s.discard();
        closeIfDone();
    }

    /**
     * The client shut its output down (half-close): nothing more can come, so streams already
     * answered are done, and the connection closes once the others have their responses.
     */
    private void clientInputShutdown() {
        clientInputDone = true;
        for (H2Stream s : new ArrayList<>(streams.values())) {
            if (s.stage == H2Stream.Stage.ANSWERED) {
                streams.remove(s.clientStream.id());
                s.discard();
            }
        }
        closeIfDone();
    }

    private void closeIfDone() {
        if (clientInputDone && streams.isEmpty() && !closed) {
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> close());
        }
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (H2Stream s : new ArrayList<>(streams.values())) {
            s.discard();
        }
        streams.clear();
        waitingForUpstream.clear();
        for (H2UpstreamLink link : new ArrayList<>(links)) {
            link.channel().close();
        }
        client.close();
    }

    // ---------------------------------------------------------------- client handler

    private final class ClientSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closed || !(msg instanceof Http2StreamFrame frame) || frame.stream() == null) {
                ReferenceCountUtil.release(msg); // connection-level frames: the codec answered what needs it
                return;
            }
            int id = frame.stream().id();
            H2Stream s = streams.get(id);
            if (frame instanceof Http2DataFrame d) {
                listenerStats.bytesUpstream.add(d.content().readableBytes());
            }
            if (frame instanceof Http2ResetFrame reset) {
                if (s != null) {
                    clientStreamEnded(s, Http2Error.valueOf(reset.errorCode()) == null
                            ? Http2Error.CANCEL : Http2Error.valueOf(reset.errorCode()));
                }
            } else if (s == null && frame instanceof Http2HeadersFrame head) {
                newStream(head);
            } else if (s != null && (frame instanceof Http2HeadersFrame || frame instanceof Http2DataFrame)) {
                requestFrame(s, frame);
            } else {
                if (frame instanceof Http2DataFrame d) {
                    consume(client, d.stream(), d.initialFlowControlledBytes());
                }
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            for (H2UpstreamLink link : links) {
                link.channel().flush();
            }
            ctx.flush();
            ctx.read();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && !closed) {
                clientInputShutdown();
            }
            if (evt instanceof Http2FrameStreamEvent e && e.type() == Http2FrameStreamEvent.Type.State
                    && e.stream().state() == Http2Stream.State.CLOSED) {
                H2Stream s = streams.get(e.stream().id());
                if (s != null) {
                    clientStreamEnded(s, Http2Error.CANCEL);
                }
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
}
