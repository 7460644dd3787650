package io.faultline.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.faultline.crds.FaultSession;
import io.faultline.crds.common.PodSelector;
import io.faultline.crds.fault.LatencyFault;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Target;
import io.faultline.operator.reconciler.NamespaceSyncResult;
import io.faultline.operator.reconciler.NamespaceSynchronizer;
import io.faultline.operator.reconciler.NamespaceView;
import io.faultline.operator.reconciler.SessionResolver;
import io.faultline.operator.sidecar.ConfigPusher;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One namespace sync with 100 sessions and 500 injected pods (the memory benchmark's namespace: each session selects
 * the 10 pods of one app label, every pod is selected by 2 sessions), timed in-process without the API server: the
 * first sync (everything compiled and pushed), syncs with nothing changed (what each of the ~100 periodic reconciles
 * per minute costs), and the sync after one session's edit. The pods' admin address is {@link FakeAdminEndpoint}.
 * Uses only {@code NamespaceSynchronizer.sync(view, now)}, so the same file measures older commits too.
 * {@code ./mvnw -B -pl operator -am verify -DskipITs -Dexcluded.test.groups= -Dgroups=benchmark
 * -Dtest=NamespaceSyncBenchmark -Dsurefire.failIfNoSpecifiedTests=false}; figures in
 * operator/target/bench/namespace-sync.txt.
 */
@Tag("benchmark")
class NamespaceSyncBenchmark {
    private static final int SESSIONS = 100;
    private static final int PODS = 500;
    private static final int APPS = 50;
    private static final int REPEATS = Integer.getInteger("bench.repeats", 20);
    private static final String NS = "bench";

    @Test
    void hundredSessionsFiveHundredPods() throws Exception {
        try (FakeAdminEndpoint admin = new FakeAdminEndpoint()) {
            TestSettings settings = new TestSettings("token", Duration.ofMinutes(30));
            NamespaceSynchronizer synchronizer = new NamespaceSynchronizer(new SessionResolver(),
                    new ConfigPusher(settings, new SimpleMeterRegistry()), settings);
            List<Pod> pods = new ArrayList<>();
            for (int p = 0; p < PODS; p++) {
                pods.add(pod(p, admin.port()));
            }
            List<FaultSession> sessions = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                sessions.add(session(s, 1, "ms"));
            }
            String loadBefore = load();

            long first = timed(synchronizer, new NamespaceView(NS, sessions, pods, Map.of(), false), true);
            long firstCpu = cpu.get(0);
            cpu.clear();
            List<Long> unchanged = new ArrayList<>();
            for (int i = 0; i < REPEATS; i++) {
                unchanged.add(timed(synchronizer, new NamespaceView(NS, sessions, pods, Map.of(), false), false));
            }
            List<Long> unchangedCpu = new ArrayList<>(cpu);
            cpu.clear();
            List<Long> edits = new ArrayList<>();
            for (int i = 0; i < REPEATS; i++) {
                sessions.set(i, session(i, 2 + i, "ms")); // one session's latency edited: its 10 pods change
                edits.add(timed(synchronizer, new NamespaceView(NS, new ArrayList<>(sessions), pods, Map.of(), false), true));
            }
            List<Long> editsCpu = new ArrayList<>(cpu);

            String report = String.format("namespace sync, %d sessions x %d pods (every pod selected by 2 sessions)%n"
                    + "first sync (compile + push all): %d ms (process CPU %d ms)%n"
                    + "sync with nothing changed, %d runs: median %d ms, max %d ms (process CPU median %d ms)%n"
                    + "sync after one session's edit (10 pods re-pushed), %d runs: median %d ms, max %d ms (process CPU median %d ms)%n"
                    + "machine: %d cpus, load before %s, after %s, java %s%n",
                    SESSIONS, PODS, first / 1_000_000, firstCpu / 1_000_000, REPEATS, median(unchanged), max(unchanged),
                    median(unchangedCpu), REPEATS, median(edits), max(edits), median(editsCpu), Runtime.getRuntime().availableProcessors(), loadBefore, load(), System.getProperty("java.version"));
            System.out.println(report);
            Path out = Path.of("target", "bench", "namespace-sync.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
        }
    }

    /** CPU time of this process per sync: on this shared machine wall time is mostly waiting for a CPU. */
    private final List<Long> cpu = new ArrayList<>();

    private long timed(NamespaceSynchronizer synchronizer, NamespaceView view, boolean checkConfigured) {
        long cpuBefore = processCpu();
        long started = System.nanoTime();
        NamespaceSyncResult result = synchronizer.sync(view, Instant.now());
        long took = System.nanoTime() - started;
        cpu.add(processCpu() - cpuBefore);
        if (checkConfigured) {
            // the measured sync did its job: every session's 10 pods configured
            result.podsBySession().values().forEach(outcomes -> assertThat(outcomes).hasSize(PODS / APPS)
                    .allSatisfy(outcome -> assertThat(outcome.message()).isNull()));
            assertThat(result.outcomeByPodName()).hasSize(PODS);
        }
        return took;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long median(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2) / 1_000_000;
    }

    private static long max(List<Long> nanos) {
        return nanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1_000_000;
    }

    private static String load() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    private static Pod pod(int index, int adminPort) {
        return new PodBuilder()
                .withNewMetadata().withName("pod-" + index).withNamespace(NS).withUid("pod-uid-" + index)
                .withLabels(Map.of("app", "app-" + (index % APPS), "tier", "bench"))
                .withAnnotations(Map.of(SidecarPods.ADMIN_PORT_ANNOTATION, String.valueOf(adminPort)))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("shop:1").endContainer()
                .addNewContainer().withName(SidecarPods.SIDECAR_CONTAINER).withImage("faultline-sidecar:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus()
                .build();
    }

    private static FaultSession session(int index, long generation, String unit) {
        FaultSession session = new FaultSession();
        session.setMetadata(new ObjectMetaBuilder().withName("session-" + index).withNamespace(NS).withUid("session-uid-" + index)
                .withGeneration(generation).withCreationTimestamp(Instant.parse("2026-11-23T10:00:00Z").plusSeconds(index).toString())
                .build());
        Target target = new Target();
        target.name = "app-" + index;
        target.port = 8000 + index;
        target.listenPort = 18000 + index;
        FaultSpec fault = new FaultSpec();
        fault.name = "slow-" + index;
        fault.latency = new LatencyFault();
        fault.latency.fixed = (10 + index + generation) + unit;
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of("app", "app-" + (index % APPS)));
        spec.targets = List.of(target);
        spec.faults = List.of(fault);
        session.setSpec(spec);
        return session;
    }
}
