package io.faultline.sidecar.proxy;

import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.config.Protocol;
import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.config.TlsTermination;
import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.http.HttpConnectionOptions;
import io.faultline.sidecar.http.HttpProxyConnection;
import io.faultline.sidecar.http.HttpRules;
import io.faultline.sidecar.http.NettyUpstreamConnector;
import io.faultline.sidecar.http.h2.AlpnRouter;
import io.faultline.sidecar.http.h2.H2ProxyConnection;
import io.faultline.sidecar.http.h2.PrefaceSniffer;
import io.faultline.sidecar.recording.RecordingObserver;
import io.faultline.sidecar.util.Log;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** A bound listener: accepts clients, connects each to the upstream on the same event loop, relays. */
public final class ListenerRuntime {
    private static final long FAILURE_LOG_WINDOW_NANOS = 10_000_000_000L;
    static final String TLS_TERMINATION = "tls-termination";
    /** A TLS client waits for our handshake while the upstream connects: allow for both. */
    private static final Duration HANDSHAKE_ALLOWANCE = Duration.ofSeconds(10);

    private final Transport transport;
    private final ListenerStats stats;
    private final Supplier<List<ActiveRule>> rules;
    private final Supplier<SplittableRandom> connectionRandom;
    private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Channel> httpClients = ConcurrentHashMap.newKeySet();
    private final HttpRules httpRules = new HttpRules();
    private volatile ListenerSpec spec;
    private volatile SslContext upstreamTls;
    private volatile ServerTls serverTls;
    private volatile UpstreamH2Probe upstreamH2;
    private volatile Channel serverChannel;
    private long lastFailureLogNanos = System.nanoTime() - FAILURE_LOG_WINDOW_NANOS;
    private long failuresSinceLog;

    public ListenerRuntime(ListenerSpec spec, SslContext upstreamTls, ServerTls serverTls, Transport transport,
                           ListenerStats stats, Supplier<List<ActiveRule>> rules,
                           Supplier<SplittableRandom> connectionRandom) {
        this.spec = spec;
        this.serverTls = serverTls;
        this.transport = transport;
        this.stats = stats;
        this.rules = rules;
        this.connectionRandom = connectionRandom;
        this.upstreamTls = upstreamTls;
        this.upstreamH2 = new UpstreamH2Probe(spec, upstreamTls, transport);
    }

    public ListenerSpec spec() {
        return spec;
    }

    /** Takes a new spec that needs no rebind (upstream, timeouts, TLS); open connections keep theirs. */
    public void update(ListenerSpec newSpec, SslContext newUpstreamTls, ServerTls newServerTls) {
        if (!newSpec.upstream().equals(spec.upstream()) || !newSpec.tls().equals(spec.tls())
                || !newSpec.connectTimeout().equals(spec.connectTimeout())) {
            this.upstreamH2 = new UpstreamH2Probe(newSpec, newUpstreamTls, transport); // asked afresh
        }
        this.upstreamTls = newUpstreamTls;
        this.serverTls = newServerTls;
        this.spec = newSpec;
    }

    /** TLS termination in force (null when the listener takes plain bytes or passes TLS through). */
    public ServerTls serverTls() {
        return serverTls;
    }

    /** Binds and waits (called on the control thread, never an event loop). */
    public void bind(EventLoopGroup group) throws Exception {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel client) {
                        accept(client);
                    }
                });
        ChannelFuture bound = b.bind(spec.listen().host(), spec.listen().port()).await();
        if (!bound.isSuccess()) {
            throw new java.io.IOException(bound.cause().getMessage(), bound.cause());
        }
        serverChannel = bound.channel();
        Log.info("listener_bound", "name", spec.name(), "address", boundAddress(), "upstream", spec.upstream());
    }

    /** The actual listening address, e.g. 127.0.0.1:41234; null when not bound. */
    public String boundAddress() {
        Channel ch = serverChannel;
        if (ch == null || !(ch.localAddress() instanceof InetSocketAddress a)) {
            return null;
        }
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    public boolean isBound() {
        return serverChannel != null && serverChannel.isActive();
    }

    /** Stops accepting and closes every connection (a removed or disabled listener). */
    public void close() {
        Channel ch = serverChannel;
        serverChannel = null;
        if (ch != null) {
            ch.close().awaitUninterruptibly();
            Log.info("listener_closed", "name", spec.name());
        }
        for (ProxiedConnection c : connections) {
            c.client().eventLoop().execute(c::close);
        }
        httpClients.forEach(Channel::close);
    }

    /**
     * Re-applies the listener's current rules on every open connection, each on its own event loop;
     * the futures complete once each connection has them.
     */
    public List<Future<?>> refreshRules() {
        List<Future<?>> applied = new ArrayList<>(connections.size());
        for (ProxiedConnection c : connections) {
            applied.add(c.client().eventLoop().submit(() -> c.applyRules(rules.get())));
        }
        return applied;
    }

    public int openConnections() {
        return connections.size() + httpClients.size();
    }

    private void accept(Channel client) {
        ListenerSpec current = spec;
        if (current.maxConnections() > 0 && stats.connectionsActive.get() >= current.maxConnections()) {
            stats.connectionsRejected.increment();
            client.close();
            return;
        }
        stats.connectionsTotal.increment();
        stats.connectionsActive.incrementAndGet();
        client.closeFuture().addListener(f -> stats.connectionsActive.decrementAndGet());
        if (current.protocol() == Protocol.HTTP) {
            acceptHttp(client, current);
            return;
        }
        addTlsTermination(client, current, null);
        SslContext tls = upstreamTls;
        Bootstrap b = new Bootstrap()
                .group(client.eventLoop())
                .channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        current.connectTimeout().toMillis()))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel upstream) {
                        if (tls != null) {
                            upstream.pipeline().addLast("tls", UpstreamTls.handler(tls, current, upstream));
                        }
                    }
                });
        b.connect(current.upstream().address().host(), current.upstream().address().port())
                .addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        upstreamFailed(current, f.cause());
                        client.close();
                        return;
                    }
                    if (!client.isActive()) {
                        f.channel().close();
                        return;
                    }
                    start(client, f.channel(), rule -> true);
                });
    }

    /**
     * First in the pipeline, so faults and the HTTP layer see plaintext. It reads nothing before the
     * connection starts reading (AUTO_READ is off), i.e. before the rules are in place.
     */
    private boolean addTlsTermination(Channel client, ListenerSpec current, Function<List<String>, String> alpn) {
        ServerTls tls = serverTls;
        if (tls != null) {
            client.pipeline().addFirst(TLS_TERMINATION,
                    tls.newHandler(client, current.connectTimeout().plus(HANDSHAKE_ALLOWANCE), alpn));
        }
        return tls != null;
    }

    /**
     * The protocol for a TLS client, from those it offers: the first of the listener's {@code alpn}
     * list that it offers, h2 only when the upstream speaks it; "" (no ALPN) when none fits.
     */
    private static String chooseProtocol(List<String> ours, List<String> offered, UpstreamH2Probe upstream) {
        for (String p : ours) {
            boolean usable = !p.equals(TlsTermination.H2) || Boolean.TRUE.equals(upstream.known());
            if (usable && offered.contains(p)) {
                return p;
            }
        }
        return "";
    }

    private void start(Channel client, Channel upstream, Predicate<RuleSpec> applies) {
        ProxiedConnection connection = new ProxiedConnection(client, upstream, connectionRandom.get(), applies);
        client.pipeline().addLast(ProxiedConnection.STREAM_END, new StreamEndHandler());
        client.pipeline().addLast(ProxiedConnection.RELAY,
                new RelayHandler(connection, client, upstream, stats.bytesUpstream));
        upstream.pipeline().addLast(ProxiedConnection.STREAM_END, new StreamEndHandler());
        upstream.pipeline().addLast(ProxiedConnection.RELAY,
                new RelayHandler(connection, upstream, client, stats.bytesDownstream));
        // Registered before the rules are read: a concurrent config change reaches this connection either way.
        connections.add(connection);
        client.closeFuture().addListener(f -> connections.remove(connection));
        connection.applyRules(rules.get());
        client.read();
        upstream.read();
    }

    /** http listeners: rules are read per request, so refreshRules has nothing to do for these connections. */
    private void acceptHttp(Channel client, ListenerSpec current) {
        httpClients.add(client);
        client.closeFuture().addListener(f -> httpClients.remove(client));
        NettyUpstreamConnector connector = new NettyUpstreamConnector(current, upstreamTls, transport,
                cause -> upstreamFailed(current, cause));
        Supplier<List<HttpRules.Rule>> compiled = () -> httpRules.compiled(rules.get());
        SplittableRandom random = connectionRandom.get();
        // One observer per connection: it times (always) and records (while the listener records) its requests.
        HttpConnectionOptions options = HttpConnectionOptions.of(current)
                .withObserver(new RecordingObserver(current.name(), stats))
                .withTunnels(this::startTunnel);
        Runnable http1 = () -> HttpProxyConnection.start(client, connector, compiled, random, stats, options);
        Runnable h2 = () -> H2ProxyConnection.start(client, connector, compiled, random, stats,
                current.responseTimeout());
        Runnable sniff = () -> client.pipeline().addLast(PrefaceSniffer.NAME, new PrefaceSniffer(http1, h2,
                current.idleTimeout().toNanos(), stats.http.idleClosed::increment));
        List<String> alpn = current.termination().alpn();
        UpstreamH2Probe probe = upstreamH2;
        boolean tls = addTlsTermination(client, current,
                alpn.isEmpty() ? null : offered -> chooseProtocol(alpn, offered, probe));
        if (!tls) {
            sniff.run();
            client.read();
            return;
        }
        // Without ALPN a TLS client may still open with the h2 preface (prior knowledge): it is sniffed.
        client.pipeline().addLast(AlpnRouter.NAME, new AlpnRouter(protocol -> {
            switch (protocol) {
                case TlsTermination.H2 -> h2.run();
                case TlsTermination.HTTP_1_1 -> http1.run();
                default -> {
                    sniff.run();
                    client.read();
                }
            }
        }));
        if (current.termination().offersH2() && probe.known() == null) {
            // The client's handshake (and so its ALPN choice) waits until the upstream told whether it speaks h2.
            probe.ask(client.eventLoop()).whenComplete((h2Upstream, e) -> client.eventLoop().execute(client::read));
        } else {
            client.read();
        }
    }

    /** An http connection that switched protocols (WebSocket) goes on as a byte relay with tcp faults. */
    private void startTunnel(Channel client, Channel upstream, Predicate<RuleSpec> applies) {
        httpClients.remove(client);
        upstream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        start(client, upstream, applies);
    }

    private synchronized void upstreamFailed(ListenerSpec current, Throwable cause) {
        stats.upstreamConnectFailures.increment();
        failuresSinceLog++;
        long now = System.nanoTime();
        if (now - lastFailureLogNanos >= FAILURE_LOG_WINDOW_NANOS) {
            // Once per burst: the first failure, then a count at most every 10 s.
            Log.warn("upstream_unreachable", "listener", current.name(), "upstream", current.upstream(),
                    "failures", failuresSinceLog, "cause", String.valueOf(cause.getMessage()));
            lastFailureLogNanos = now;
            failuresSinceLog = 0;
        }
    }
}
