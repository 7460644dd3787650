package io.faultline.sidecar.http;

import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.engine.RuleStats;
import io.faultline.sidecar.proxy.ActiveRule;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * An {@link HttpProxyConnection} between two EmbeddedChannels: the client side (raw bytes in and
 * out) and upstream channels the proxy "connects" (raw bytes out, responses written in by the test).
 * Time is frozen; {@link #advance} moves it.
 */
final class EmbeddedHttpProxy implements AutoCloseable {
    final EmbeddedChannel client = new EmbeddedChannel();
    final List<EmbeddedChannel> upstreams = new ArrayList<>();
    final ListenerStats stats = new ListenerStats();
    /** The rules in force; a test assigns a new list to change them (as a configuration change does). */
    volatile List<ActiveRule> active;
    private final HttpRules rules = new HttpRules();
    /** null: connect; otherwise the failure every connect gets. */
    Throwable connectFailure;

    EmbeddedHttpProxy(String rulesYaml, long seed) {
        this(activeRules(rulesYaml), seed, Duration.ofSeconds(30));
    }

    EmbeddedHttpProxy(List<ActiveRule> active, long seed, Duration responseTimeout) {
        this(active, seed, HttpConnectionOptions.DEFAULTS.withResponseTimeout(responseTimeout));
    }

    EmbeddedHttpProxy(List<ActiveRule> active, long seed, HttpConnectionOptions options) {
        this.active = active;
        client.freezeTime();
        HttpProxyConnection.start(client, new UpstreamConnector() {
            @Override
            public ChannelFuture connect(Channel c, ChannelHandler... handlers) {
                if (connectFailure != null) {
                    EmbeddedChannel failed = new EmbeddedChannel();
                    return failed.newFailedFuture(connectFailure);
                }
                EmbeddedChannel up = new EmbeddedChannel(handlers);
                upstreams.add(up);
                return up.newSucceededFuture();
            }
        }, () -> rules.compiled(this.active), new SplittableRandom(seed), stats, options);
    }

    static List<ActiveRule> activeRules(String rulesYaml) {
        ProxyConfig cfg = ConfigParser.parse("""
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1"}]
                rules: %s
                """.formatted(rulesYaml));
        return cfg.rules().stream().map(r -> new ActiveRule(r, new RuleStats())).toList();
    }

    RuleStats rule(String name) {
        return active.stream().filter(a -> a.spec().name().equals(name)).findFirst().orElseThrow().stats();
    }

    void send(String raw) {
        client.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    /** Everything the client received since the last call. */
    String clientReceived() {
        return drain(client);
    }

    EmbeddedChannel upstream() {
        if (upstreams.isEmpty()) {
            throw new AssertionError("the proxy never connected upstream");
        }
        return upstreams.get(upstreams.size() - 1);
    }

    /** Everything the current upstream received since the last call. */
    String upstreamReceived() {
        return upstreams.isEmpty() ? "" : drain(upstream());
    }

    void upstreamSends(String raw) {
        upstream().writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    void advance(long millis) {
        client.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        client.runPendingTasks();
    }

    static String drain(EmbeddedChannel ch) {
        ch.runPendingTasks();
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            if (o instanceof ByteBuf b) {
                sb.append(b.toString(StandardCharsets.ISO_8859_1));
                b.release();
            } else {
                io.netty.util.ReferenceCountUtil.release(o);
                throw new AssertionError("unexpected outbound message " + o);
            }
        }
        return sb.toString();
    }

    static ConnectException refused() {
        return new ConnectException("Connection refused");
    }

    static ConnectTimeoutException timedOut() {
        return new ConnectTimeoutException("connection timed out");
    }

    @Override
    public void close() {
        client.finishAndReleaseAll();
        for (EmbeddedChannel up : upstreams) {
            up.finishAndReleaseAll();
        }
    }
}
