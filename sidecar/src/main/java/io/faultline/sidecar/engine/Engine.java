package io.faultline.sidecar.engine;

import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.config.RecordingSpec;
import io.faultline.sidecar.recording.RecordingBuffer;
import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.http.RuleCompatibility;
import io.faultline.sidecar.proxy.ActiveRule;
import io.faultline.sidecar.proxy.ListenerRuntime;
import io.faultline.sidecar.proxy.ServerTls;
import io.faultline.sidecar.proxy.Transport;
import io.faultline.sidecar.proxy.UpstreamTls;
import io.netty.handler.ssl.SslContext;
import io.faultline.sidecar.util.Log;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The one engine behind every front door (CLI file, native API, Toxiproxy API). All changes run
 * on a single control thread, one at a time; traffic runs on the worker event loops and only ever
 * receives rule updates as tasks, so neither blocks the other.
 */
public final class Engine implements AutoCloseable {
    private final Transport transport;
    private final EventLoopGroup workers;
    private final EventExecutor control = new DefaultEventExecutor(new DefaultThreadFactory("faultline-control", true));
    private final Clock clock;
    private final long seed;
    private final AtomicLong connectionSequence = new AtomicLong();
    private final Map<String, ListenerRuntime> listeners = new ConcurrentHashMap<>();
    private final Map<String, ListenerStats> listenerStats = new ConcurrentHashMap<>();
    private final Map<String, RuleStats> ruleStats = new ConcurrentHashMap<>();
    private volatile Map<String, List<ActiveRule>> activeRules = Map.of();
    private volatile ProxyConfig config = ProxyConfig.EMPTY;
    private volatile boolean expired;
    private volatile boolean configured;
    /** When the config in force was committed (null before the first one): reported so callers can time a rollout. */
    private volatile Instant appliedAt;
    private ScheduledFuture<?> expiryTimer;
    private ScheduledFuture<?> certificateCheck;
    public static final Duration DEFAULT_CERTIFICATE_CHECK_INTERVAL = Duration.ofSeconds(2);

    public Engine(Transport transport, int workerThreads, long seed, Clock clock) {
        this.transport = transport;
        this.workers = transport.newGroup(workerThreads, "faultline-io");
        this.seed = seed;
        this.clock = clock;
        checkCertificatesEvery(DEFAULT_CERTIFICATE_CHECK_INTERVAL);
    }

    /** How often the certificate and key files of TLS-terminating listeners are checked for changes. */
    public void checkCertificatesEvery(Duration interval) {
        long nanos = Math.max(1, interval.toNanos());
        control.submit(() -> {
            if (certificateCheck != null) {
                certificateCheck.cancel(false);
            }
            certificateCheck = control.scheduleWithFixedDelay(this::reloadChangedCertificates, nanos, nanos,
                    TimeUnit.NANOSECONDS);
        }).syncUninterruptibly();
    }

    /** New connections get the new certificate; broken files keep the old one (logged once, counted). */
    private void reloadChangedCertificates() {
        for (ListenerRuntime rt : listeners.values()) {
            ServerTls tls = rt.serverTls();
            if (tls == null) {
                continue;
            }
            String name = rt.spec().name();
            ListenerStats stats = listenerStats.computeIfAbsent(name, n -> new ListenerStats());
            ServerTls.Reload outcome = tls.reloadIfChanged(bad -> Log.error("certificate_reload_failed",
                    "listener", name, "field", "terminateTls." + bad.field(), "cause", bad.getMessage(),
                    "serving", tls.subject()));
            if (outcome == ServerTls.Reload.RELOADED) {
                stats.certificateReloads.increment();
                Log.info("certificate_reloaded", "listener", name, "subject", tls.subject());
            } else if (outcome == ServerTls.Reload.FAILED) {
                stats.certificateReloadFailures.increment();
            }
        }
    }

    public ProxyConfig config() {
        return config;
    }

    public boolean expired() {
        return expired;
    }

    /**
     * The moment (this engine's clock) the config in force was committed: from then on {@link #config()} returns it and
     * new connections get its rules. Null until a config was applied. Lets a caller that pushed a config measure when it
     * took effect without polling at a high rate (GET /v1/stats {@code appliedAt}).
     */
    public Instant appliedAt() {
        return appliedAt;
    }

    /** Ready once a configuration was applied and every enabled listener is bound. */
    public boolean ready() {
        if (!configured) {
            return false;
        }
        for (ListenerSpec l : config.listeners()) {
            ListenerRuntime rt = listeners.get(l.name());
            if (l.enabled() && (rt == null || !rt.isBound())) {
                return false;
            }
        }
        return true;
    }

    public String boundAddress(String listener) {
        ListenerRuntime rt = listeners.get(listener);
        return rt == null ? null : rt.boundAddress();
    }

    public int openConnections(String listener) {
        ListenerRuntime rt = listeners.get(listener);
        return rt == null ? 0 : rt.openConnections();
    }

    public Map<String, ListenerStats> listenerStats() {
        return listenerStats;
    }

    public Map<String, RuleStats> ruleStats() {
        return ruleStats;
    }

    public String transportName() {
        return transport.name();
    }

    /** Replaces the whole configuration, atomically: fully applied, or failed with the old one in force. */
    public Future<ProxyConfig> apply(ProxyConfig next) {
        return update(current -> next);
    }

    /** Computes a new configuration from the one in force and applies it (serialized with every other change). */
    public Future<ProxyConfig> update(UnaryOperator<ProxyConfig> change) {
        Promise<ProxyConfig> result = control.newPromise();
        control.execute(() -> {
            try {
                ProxyConfig next = change.apply(config);
                List<Future<?>> applied = applyOnControlThread(next);
                succeedWhenApplied(result, next, applied);
            } catch (Throwable t) {
                result.setFailure(t);
            }
        });
        return result;
    }

    /**
     * Answers once every open connection has the new rules, so that a 200 from PUT /v1/config means
     * "in force"; a connection that takes longer than a second (it never should) does not hold the answer.
     */
    private void succeedWhenApplied(Promise<ProxyConfig> result, ProxyConfig next, List<Future<?>> applied) {
        if (applied.isEmpty()) {
            result.setSuccess(next);
            return;
        }
        AtomicInteger pending = new AtomicInteger(applied.size());
        for (Future<?> f : applied) {
            f.addListener(done -> {
                if (pending.decrementAndGet() == 0) {
                    result.trySuccess(next);
                }
            });
        }
        control.schedule(() -> result.trySuccess(next), 1, TimeUnit.SECONDS);
    }

    private List<Future<?>> applyOnControlThread(ProxyConfig next) {
        checkSupported(next);
        Map<String, ListenerRuntime> kept = new LinkedHashMap<>();
        Map<String, ListenerSpec> keptSpecs = new LinkedHashMap<>();
        Map<String, SslContext> keptTls = new LinkedHashMap<>();
        Map<String, ServerTls> keptServerTls = new LinkedHashMap<>();
        List<ListenerRuntime> toBind = new ArrayList<>();
        List<Integer> toBindIndex = new ArrayList<>();
        Set<String> replaced = new HashSet<>();
        for (int i = 0; i < next.listeners().size(); i++) {
            ListenerSpec spec = next.listeners().get(i);
            ListenerRuntime current = listeners.get(spec.name());
            if (current != null && !spec.needsRebind(current.spec())) {
                kept.put(spec.name(), current);
                keptSpecs.put(spec.name(), spec);
                // Built now, before anything changes: a bad CA file rejects the whole update.
                keptTls.put(spec.name(), tlsFor(spec, i));
                keptServerTls.put(spec.name(), serverTlsFor(spec, i, current));
                continue;
            }
            if (current != null) {
                replaced.add(spec.name());
            }
            if (spec.enabled()) {
                toBind.add(newRuntime(spec, tlsFor(spec, i), serverTlsFor(spec, i, current)));
                toBindIndex.add(i);
            }
        }
        // Listeners that go away (or move) release their ports first, so a port can change hands in one update.
        List<ListenerRuntime> retired = new ArrayList<>();
        for (Map.Entry<String, ListenerRuntime> e : listeners.entrySet()) {
            if (!kept.containsKey(e.getKey())) {
                retired.add(e.getValue());
            }
        }
        List<ListenerRuntime> closedEarly = new ArrayList<>();
        for (ListenerRuntime old : retired) {
            if (old.isBound() && toBind.stream().anyMatch(n -> samePort(n.spec(), old))) {
                old.close();
                closedEarly.add(old);
            }
        }
        List<ListenerRuntime> bound = new ArrayList<>();
        for (int k = 0; k < toBind.size(); k++) {
            ListenerRuntime rt = toBind.get(k);
            try {
                rt.bind(workers);
                bound.add(rt);
            } catch (Exception e) {
                bound.forEach(ListenerRuntime::close);
                for (ListenerRuntime old : closedEarly) {
                    rebindQuietly(old);
                }
                throw new ConfigException("listeners[" + toBindIndex.get(k) + "].listen",
                        "cannot listen on " + rt.spec().listen() + ": " + e.getMessage());
            }
        }
        // Commit: from here on nothing fails.
        for (ListenerRuntime old : retired) {
            if (!closedEarly.contains(old)) {
                old.close();
            }
        }
        Map<String, ListenerRuntime> nextListeners = new LinkedHashMap<>(kept);
        keptSpecs.forEach((name, spec) -> kept.get(name).update(spec, keptTls.get(name),
                keptServerTls.get(name)));
        for (ListenerRuntime rt : bound) {
            nextListeners.put(rt.spec().name(), rt);
        }
        listeners.putAll(nextListeners);
        listeners.keySet().retainAll(nextListeners.keySet());
        ProxyConfig previous = config;
        config = next;
        appliedAt = clock.instant();
        configured = true;
        forgetStatsOf(next);
        applyRecordings(next);
        scheduleExpiry(next);
        List<Future<?>> applied = refreshActiveRules();
        Log.info("config_applied", "version", next.version(), "listeners", next.listeners().size(),
                "rules", next.rules().size(), "expired", expired,
                "previousVersion", previous.version());
        return applied;
    }

    private static SslContext tlsFor(ListenerSpec spec, int index) {
        try {
            return UpstreamTls.contextFor(spec);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("listeners[" + index + "].tls.caFile", e.getMessage());
        }
    }

    /**
     * Unchanged file names keep the loaded certificate (the periodic check follows the files);
     * new ones are read now, so unusable files reject the whole update.
     */
    private static ServerTls serverTlsFor(ListenerSpec spec, int index, ListenerRuntime current) {
        if (current != null && current.serverTls() != null && current.serverTls().spec().equals(spec.termination())) {
            return current.serverTls();
        }
        try {
            return ServerTls.load(spec.termination());
        } catch (ServerTls.BadFile e) {
            throw new ConfigException("listeners[" + index + "].terminateTls." + e.field(), e.getMessage());
        }
    }

    private static boolean samePort(ListenerSpec spec, ListenerRuntime old) {
        String bound = old.boundAddress();
        return bound != null && bound.endsWith(":" + spec.listen().port()) && spec.listen().port() != 0;
    }

    private void rebindQuietly(ListenerRuntime old) {
        try {
            old.bind(workers);
        } catch (Exception e) {
            Log.error("listener_restore_failed", "name", old.spec().name(), "cause", e.getMessage());
        }
    }

    /** Faults that do not fit their listeners' protocol are refused up front, naming the field. */
    private static void checkSupported(ProxyConfig next) {
        RuleCompatibility.check(next);
    }

    private ListenerRuntime newRuntime(ListenerSpec spec, SslContext upstreamTls, ServerTls serverTls) {
        ListenerStats stats = listenerStats.computeIfAbsent(spec.name(), n -> new ListenerStats());
        return new ListenerRuntime(spec, upstreamTls, serverTls, transport, stats,
                () -> activeRules.getOrDefault(spec.name(), List.of()),
                this::nextConnectionRandom);
    }

    private SplittableRandom nextConnectionRandom() {
        long n = connectionSequence.incrementAndGet();
        // Per-connection stream: reproducible for a given --seed and connection order.
        return new SplittableRandom(seed ^ (n * 0x9E3779B97F4A7C15L));
    }

    private void forgetStatsOf(ProxyConfig next) {
        Set<String> listenerNames = new HashSet<>();
        next.listeners().forEach(l -> listenerNames.add(l.name()));
        listenerStats.keySet().retainAll(listenerNames);
        Set<String> ruleNames = new HashSet<>();
        next.rules().forEach(r -> ruleNames.add(r.name()));
        ruleStats.keySet().retainAll(ruleNames);
    }

    /** Recording kept on keeps its buffer (resized if needed); turned off frees it. */
    private void applyRecordings(ProxyConfig next) {
        for (ListenerSpec l : next.listeners()) {
            RecordingSpec rec = l.recording();
            ListenerStats stats = rec.enabled()
                    ? listenerStats.computeIfAbsent(l.name(), n -> new ListenerStats())
                    : listenerStats.get(l.name());
            if (stats == null) {
                continue;
            }
            RecordingBuffer buffer = stats.recordings;
            if (!rec.enabled()) {
                stats.recordings = null;
            } else if (buffer == null) {
                stats.recordings = new RecordingBuffer(rec);
            } else {
                buffer.reconfigure(rec);
            }
        }
    }

    private void scheduleExpiry(ProxyConfig next) {
        if (expiryTimer != null) {
            expiryTimer.cancel(false);
            expiryTimer = null;
        }
        Instant expiresAt = next.expiresAt();
        expired = next.expired(clock.instant());
        if (expiresAt != null && !expired) {
            long delayMs = Math.max(1, Duration.between(clock.instant(), expiresAt).toMillis());
            expiryTimer = control.schedule(() -> expire(next), delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void expire(ProxyConfig which) {
        if (config != which) {
            return;
        }
        expired = true;
        refreshActiveRules();
        Log.info("config_expired", "version", which.version(), "expiresAt", which.expiresAt());
    }

    private List<Future<?>> refreshActiveRules() {
        Map<String, List<ActiveRule>> byListener = new LinkedHashMap<>();
        for (ListenerSpec l : config.listeners()) {
            List<ActiveRule> rules = new ArrayList<>();
            if (!expired) {
                for (RuleSpec r : config.rulesFor(l.name())) {
                    if (!RuleCompatibility.fits(l.protocol(), r)) {
                        continue; // a rule for every listener skips those of the other protocol
                    }
                    rules.add(new ActiveRule(r, ruleStats.computeIfAbsent(r.name(), n -> new RuleStats())));
                }
            }
            byListener.put(l.name(), List.copyOf(rules));
        }
        activeRules = byListener;
        List<Future<?>> applied = new ArrayList<>();
        listeners.values().forEach(l -> applied.addAll(l.refreshRules()));
        return applied;
    }

    @Override
    public void close() {
        control.submit(() -> listeners.values().forEach(ListenerRuntime::close)).awaitUninterruptibly(5, TimeUnit.SECONDS);
        control.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
