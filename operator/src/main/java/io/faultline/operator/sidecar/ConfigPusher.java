package io.faultline.operator.sidecar;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.faultline.operator.compiler.PodConfig;
import io.faultline.operator.compiler.ProxyConfigCompiler;
import io.faultline.operator.config.FaultlineConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Brings sidecars to their desired config. A pod whose sidecar already reports the desired version is not touched:
 * versions confirmed recently are trusted ({@code faultline.sidecar.verify-interval}), older ones are re-read with
 * GET /v1/config (this also catches sidecars that restarted). Otherwise PUT /v1/config, retried with exponential
 * backoff on connection errors and 5xx; a 4xx (config or token rejected) is not retried. When this operator knows the
 * version a sidecar runs and it differs from the desired one, the PUT goes out without the GET first: that saves one
 * round trip per pod on every edit (measured in PropagationBenchmark), and the GET could only have found the desired
 * version if something else had pushed it. All pushes of all syncs share one pool of
 * {@code faultline.sidecar.push-concurrency} threads, so one edit reaches its pods in about one round trip.
 */
@ApplicationScoped
public class ConfigPusher {
    private static final Logger LOG = Logger.getLogger(ConfigPusher.class);

    /**
     * One pod to bring to a config. {@code sidecarInstance} names the sidecar container's incarnation
     * ({@link SidecarPods#sidecarInstance}): a version confirmed for another incarnation is not trusted.
     */
    public record PushTarget(String podUid, String podName, String adminBaseUri, String sidecarInstance, PodConfig config) {
        public PushTarget(String podUid, String podName, String adminBaseUri, PodConfig config) {
            this(podUid, podName, adminBaseUri, "", config);
        }
    }

    /** What the pod's sidecar runs after the push, or why it could not be configured. */
    public record PushResult(String podName, boolean configured, String version, String message) {
    }

    private record Confirmed(String adminBaseUri, String sidecarInstance, String version, Instant at) {
        boolean sameSidecar(PushTarget target) {
            return adminBaseUri.equals(target.adminBaseUri()) && sidecarInstance.equals(target.sidecarInstance());
        }
    }

    private final FaultlineConfig.Sidecar settings;
    private final SidecarAdminClient client;
    private final Map<String, Confirmed> confirmed = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor pool;
    private final MeterRegistry registry;
    private final Timer pushLatency;
    private final Counter versionChecks;

    /** With the token of the configuration only (tests that build operator parts by hand). */
    public ConfigPusher(FaultlineConfig config, MeterRegistry registry) {
        this(config, registry, SidecarToken.configured(config.sidecar()));
    }

    @Inject
    public ConfigPusher(FaultlineConfig config, MeterRegistry registry, SidecarToken token) {
        this(config, registry, () -> Optional.of(token.get()));
    }

    private ConfigPusher(FaultlineConfig config, MeterRegistry registry, Optional<String> token) {
        this(config, registry, () -> token);
    }

    private ConfigPusher(FaultlineConfig config, MeterRegistry registry, Supplier<Optional<String>> token) {
        this.settings = config.sidecar();
        this.client = new SidecarAdminClient(token, settings.requestTimeout());
        int threads = settings.pushConcurrency();
        // idle threads go away: a quiet operator holds no push threads
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "faultline-push");
            thread.setDaemon(true);
            return thread;
        });
        pool.allowCoreThreadTimeOut(true);
        this.registry = registry;
        this.pushLatency = Timer.builder("faultline.sidecar.push").description("Time to bring one sidecar to its desired config")
                .publishPercentileHistogram().register(registry);
        this.versionChecks = Counter.builder("faultline.sidecar.version.checks")
                .description("GET /v1/config calls asking a sidecar which version it runs").register(registry);
    }

    /** Pushes to every target in parallel and waits for all of them. */
    public List<PushResult> pushAll(List<PushTarget> targets) {
        List<Future<PushResult>> futures = new ArrayList<>();
        for (PushTarget target : targets) {
            futures.add(pool.submit(() -> push(target)));
        }
        List<PushResult> results = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            try {
                results.add(futures.get(i).get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                results.add(new PushResult(targets.get(i).podName(), false, null, "interrupted"));
            } catch (ExecutionException e) {
                results.add(new PushResult(targets.get(i).podName(), false, null, String.valueOf(e.getCause())));
            }
        }
        return results;
    }

    PushResult push(PushTarget target) {
        String desired = target.config().version();
        Confirmed known = confirmed.get(target.podUid());
        if (known != null && known.version.equals(desired) && known.sameSidecar(target)
                && known.at.plus(settings.verifyInterval()).isAfter(Instant.now())) {
            count("unchanged");
            return new PushResult(target.podName(), true, desired, null);
        }
        Timer.Sample sample = Timer.start(registry);
        byte[] body = ProxyConfigCompiler.toBytes(target.config());
        Duration backoff = settings.retryBackoff();
        String lastError = null;
        for (int attempt = 1; attempt <= settings.pushAttempts(); attempt++) {
            try {
                if (!knownToDiffer(known, target, attempt)) {
                    versionChecks.increment();
                    Optional<String> current = client.currentVersion(target.adminBaseUri());
                    if (current.isPresent() && current.get().equals(desired)) {
                        remember(target, desired);
                        count("unchanged");
                        return new PushResult(target.podName(), true, desired, null);
                    }
                }
                String applied = client.putConfig(target.adminBaseUri(), body);
                if (!desired.equals(applied)) {
                    throw new IOException("sidecar echoed version " + applied + " instead of " + desired);
                }
                remember(target, desired);
                sample.stop(pushLatency);
                count("pushed");
                LOG.debugf("pod %s now runs config %s", target.podName(), desired);
                return new PushResult(target.podName(), true, desired, null);
            } catch (SidecarAdminClient.RejectedException e) {
                confirmed.remove(target.podUid());
                count("rejected");
                LOG.warnf("pod %s: %s", target.podName(), e.getMessage());
                return new PushResult(target.podName(), false, null, e.getMessage());
            } catch (IOException e) {
                lastError = describe(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                lastError = "interrupted";
                break;
            }
            if (attempt < settings.pushAttempts()) {
                sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
        confirmed.remove(target.podUid());
        count("unreachable");
        String message = "sidecar at " + target.adminBaseUri() + " unreachable after " + settings.pushAttempts() + " attempts: "
                + lastError;
        LOG.warnf("pod %s: %s", target.podName(), message);
        return new PushResult(target.podName(), false, null, message);
    }

    /**
     * True when this operator confirmed another version at the same address: the sidecar can only hold the desired one
     * if something else pushed it, so the GET is skipped. Retries always ask first (the failed PUT may have landed).
     */
    private static boolean knownToDiffer(Confirmed known, PushTarget target, int attempt) {
        return attempt == 1 && known != null && !known.version.equals(target.config().version()) && known.sameSidecar(target);
    }

    /** How many pods this pusher remembers a confirmed version for. */
    public int rememberedPods() {
        return confirmed.size();
    }

    /** Forgets what a pod was known to run (e.g. when it is deleted). */
    public void forget(String podUid) {
        confirmed.remove(podUid);
    }

    private void remember(PushTarget target, String version) {
        confirmed.put(target.podUid(), new Confirmed(target.adminBaseUri(), target.sidecarInstance(), version, Instant.now()));
    }

    private void count(String outcome) {
        Counter.builder("faultline.sidecar.pushes").description("Config pushes to sidecars by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }
}
