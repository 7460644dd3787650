package io.faultline.sidecar.http;

import io.faultline.sidecar.engine.ListenerStats;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
 * <p>The work is shared by four parts, all on the event loop: {@link ClientIntake} (request
 * framing, refusal of malformed input, the pipelining queue), {@link ExchangeDecider} (rules, local
 * answers), {@link UpstreamLink} (connect, forward, response timer, reading the upstream) and
 * {@link ResponseRelay} (the upstream's response on its way to the client). This class holds what
 * they share: the exchange in progress and the connection's end.
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
    /** The request decoder; {@link #ENCODER} the response encoder (their context writes past it: 1xx, 101). */
    static final String CODEC = "http-codec";
    static final String ENCODER = "http-encoder";
    static final String HANDLER = "http-proxy";

    final Channel client;
    final ListenerStats listenerStats;
    final HttpListenerStats stats;
    final ExchangeObserver observer;
    /** Where the connection goes after a 101; null: 101 is refused (502) and Upgrade is not forwarded. */
    final UpgradeTunnels tunnels;
    private final SplittableRandom random;
    private final Map<Object, Object> state = new HashMap<>();
    final ClientIntake intake;
    final ExchangeDecider decider;
    final UpstreamLink upstream;
    final ResponseRelay relay;
    /** The request being handled (null between requests). */
    RequestExchange exchange;
    boolean closed;

    private HttpProxyConnection(Channel client, UpstreamConnector connector, Supplier<List<HttpRules.Rule>> rules,
                                SplittableRandom random, ListenerStats listenerStats, HttpConnectionOptions options) {
        this.client = client;
        this.random = random;
        this.listenerStats = listenerStats;
        this.stats = listenerStats.http;
        this.observer = options.observer();
        this.tunnels = options.tunnels();
        this.intake = new ClientIntake(this, options.idleTimeout(), options.clientTimeouts());
        this.decider = new ExchangeDecider(this, rules);
        this.upstream = new UpstreamLink(this, connector, options.responseTimeout());
        this.relay = new ResponseRelay(this);
    }

    /**
     * Sets up {@code client} (AUTO_READ off) as an HTTP/1.1 proxy connection and starts reading.
     * {@code responseTimeout}: from the request's last byte sent to the response head (0 = none).
     */
    public static HttpProxyConnection start(Channel client, UpstreamConnector connector,
                                            Supplier<List<HttpRules.Rule>> rules, SplittableRandom random,
                                            ListenerStats stats, Duration responseTimeout) {
        return start(client, connector, rules, random, stats, HttpConnectionOptions.DEFAULTS.withResponseTimeout(responseTimeout));
    }

    /** Sets up {@code client} (AUTO_READ off) as an HTTP/1.1 proxy connection and starts reading. */
    public static HttpProxyConnection start(Channel client, UpstreamConnector connector,
                                            Supplier<List<HttpRules.Rule>> rules, SplittableRandom random,
                                            ListenerStats stats, HttpConnectionOptions options) {
        HttpProxyConnection c = new HttpProxyConnection(client, connector, rules, random, stats, options);
        client.pipeline().addLast(ClientRequestTimers.NAME, c.intake.timers);
        client.pipeline().addLast(CODEC, newDecoder());
        client.pipeline().addLast(ENCODER, new ClientResponseEncoder(c::answeringHead));
        client.pipeline().addLast(HANDLER, c.intake);
        client.read();
        return c;
    }

    /** Whether the response being written answers a HEAD request (as the client sent it): no body goes out. */
    private boolean answeringHead() {
        RequestExchange ex = exchange;
        return ex != null && ex.clientSentHead;
    }

    static HttpRequestDecoder newDecoder() {
        return new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK));
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

    /** Both directions of the exchange are complete: close, or go on with the next request. */
    void finishIfComplete(RequestExchange ex) {
        if (ex != exchange || ex.requestStage != RequestExchange.RequestStage.DONE
                || ex.responseStage != RequestExchange.ResponseStage.DONE) {
            return;
        }
        ex.cancelTimers();
        exchange = null;
        if (ex.upstreamWillClose) {
            upstream.drop();
        }
        if (!intake.resumeAfterUpgradeRefused()) {
            ex.closeAfter = true;
        }
        if (ex.closeAfter) {
            closeAfterWrites();
            return;
        }
        intake.drain();
    }

    // ---------------------------------------------------------------- closing

    void closeAfterWrites() {
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
        RequestExchange ex = exchange;
        if (ex != null) {
            ex.cancelTimers();
            ex.releaseHeldBody();
            if (ex.responseStage != RequestExchange.ResponseStage.DONE) {
                observer.exchangeAborted(ex, nanoTime());
            }
        }
        intake.releaseQueued();
        upstream.stopTimers();
        upstream.drop();
    }
}
