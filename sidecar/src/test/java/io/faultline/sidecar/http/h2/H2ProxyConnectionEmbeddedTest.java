package io.faultline.sidecar.http.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.engine.RuleStats;
import io.faultline.sidecar.http.ExchangeObserver;
import io.faultline.sidecar.http.HttpConnectionOptions;
import io.faultline.sidecar.http.HttpRules;
import io.faultline.sidecar.proxy.ActiveRule;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link H2ProxyConnection} between two EmbeddedChannels (an h2 client codec and the proxy side),
 * bytes pumped between them, time frozen: idleTimeout, reset and drop, which need no upstream.
 */
class H2ProxyConnectionEmbeddedTest {
    private final EmbeddedChannel proxy = new EmbeddedChannel();
    private final Client collector = new Client();
    private EmbeddedChannel client;
    private final ListenerStats stats = new ListenerStats();

    /** The client side: sees HEADERS, RST_STREAM and GOAWAY, releases everything. */
    private static final class Client extends Http2ChannelDuplexHandler {
        final Map<Integer, String> statuses = new HashMap<>();
        final Map<Integer, Long> resets = new HashMap<>();
        final List<Long> goAways = new CopyOnWriteArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame h && h.headers().status() != null) {
                statuses.put(h.stream().id(), h.headers().status().toString());
            } else if (msg instanceof Http2ResetFrame r) {
                resets.put(r.stream().id(), r.errorCode());
            } else if (msg instanceof Http2GoAwayFrame g) {
                goAways.add(g.errorCode());
            }
            ReferenceCountUtil.release(msg);
        }

        Http2FrameStream stream() {
            return newStream();
        }
    }

    private void start(String rulesYaml, Duration idleTimeout) {
        List<ActiveRule> active = ConfigParser.parse("""
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1"}]
                rules: %s
                """.formatted(rulesYaml)).rules().stream().map(r -> new ActiveRule(r, new RuleStats())).toList();
        HttpRules rules = new HttpRules();
        proxy.freezeTime();
        H2ProxyConnection.start(proxy, (c, handlers) -> {
            throw new AssertionError("no upstream in these tests");
        }, () -> rules.compiled(active), new SplittableRandom(1), stats,
                HttpConnectionOptions.DEFAULTS.withIdleTimeout(idleTimeout), () -> ExchangeObserver.NONE);
        client = new EmbeddedChannel(Http2FrameCodecBuilder.forClient().build(), collector);
        pump();
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.finishAndReleaseAll();
        }
        proxy.finishAndReleaseAll();
    }

    /** Moves bytes both ways until neither side has anything more to say. */
    private void pump() {
        for (boolean moved = true; moved; ) {
            moved = false;
            ByteBuf b;
            while ((b = client.readOutbound()) != null) {
                moved = true;
                deliver(proxy, b);
            }
            while ((b = proxy.readOutbound()) != null) {
                moved = true;
                deliver(client, b);
            }
        }
    }

    private static void deliver(EmbeddedChannel to, ByteBuf bytes) {
        if (to.isOpen()) {
            to.writeInbound(bytes);
        } else {
            bytes.release();
        }
    }

    private void advanceMillis(long ms) {
        proxy.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        proxy.runScheduledPendingTasks();
        pump();
    }

    private int request(Http2Headers headers) {
        Http2FrameStream stream = collector.stream();
        client.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true).stream(stream));
        pump();
        return stream.id();
    }

    private static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").path(path).scheme("http").authority("svc");
    }

    @Test
    void anIdleConnectionGetsGoAwayAfterIdleTimeoutAndEachStreamStartsTheWaitAgain() {
        start("[{name: down, abort: {status: 503}}]", Duration.ofSeconds(1));
        advanceMillis(800);
        int id = request(get("/x"));
        assertThat(collector.statuses).containsEntry(id, "503");
        advanceMillis(800); // 1.6 s since the start, 0.8 s since the stream ended
        assertThat(proxy.isOpen()).isTrue();
        assertThat(collector.goAways).isEmpty();
        advanceMillis(201);
        assertThat(collector.goAways).containsExactly(Http2Error.NO_ERROR.code());
        assertThat(proxy.isOpen()).isFalse();
        assertThat(stats.http.idleClosed.sum()).isEqualTo(1);
    }

    @Test
    void aRefusedMalformedStreamDoesNotStopTheIdleTimer() {
        start("[]", Duration.ofSeconds(1));
        int id = request(new DefaultHttp2Headers().method("G ET").path("/x").scheme("http").authority("svc"));
        assertThat(collector.resets).containsEntry(id, Http2Error.PROTOCOL_ERROR.code());
        assertThat(stats.http.badRequests.sum()).isEqualTo(1);
        advanceMillis(1001);
        assertThat(proxy.isOpen()).isFalse();
        assertThat(stats.http.idleClosed.sum()).isEqualTo(1);
    }

    @Test
    void idleTimeoutZeroNeverCloses() {
        start("[]", Duration.ZERO);
        advanceMillis(TimeUnit.HOURS.toMillis(2));
        assertThat(proxy.isOpen()).isTrue();
        assertThat(collector.goAways).isEmpty();
    }

    @Test
    void resetEndsOneStreamWithInternalErrorAndDropEndsTheConnectionWithGoAway() {
        start("[{name: rst, match: {path: /rst}, reset: {}}, {name: gone, match: {path: /drop}, drop: {}},"
                + " {name: other, match: {path: /ok}, abort: {status: 204}}]", Duration.ZERO);
        int reset = request(get("/rst"));
        assertThat(collector.resets).containsEntry(reset, Http2Error.INTERNAL_ERROR.code());
        assertThat(collector.statuses).doesNotContainKey(reset);
        int ok = request(get("/ok"));
        assertThat(collector.statuses).containsEntry(ok, "204");
        assertThat(proxy.isOpen()).isTrue();
        request(get("/drop"));
        assertThat(collector.goAways).containsExactly(Http2Error.NO_ERROR.code());
        assertThat(proxy.isOpen()).isFalse();
        assertThat(stats.http.droppedByFault.sum()).isEqualTo(2);
    }
}
