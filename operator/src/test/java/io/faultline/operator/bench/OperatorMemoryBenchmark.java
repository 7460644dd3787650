package io.faultline.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;


import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.faultline.crds.FaultSession;
import io.faultline.crds.common.PodSelector;
import io.faultline.crds.fault.LatencyFault;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Target;
import io.faultline.crds.status.SessionPhase;
import io.faultline.operator.sidecar.SidecarPods;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Operator memory with 1,000 FaultSessions and 5,000 injected pods (10 namespaces x 100 sessions x 500 pods; each
 * session selects the 10 pods of one app label, so every pod is selected by 2 sessions and gets a 2-session config).
 * Waits until every session reports all its pods configured, forces GC and reports the used heap of this JVM. That
 * JVM also holds the fabric8 mock API server (every resource as JSON) and the admin endpoint the pods point at, so
 * the figure is an upper bound for the operator; a class histogram (jcmd GC.class_histogram) is written next to it.
 * The admin endpoint is a minimal HTTP server that accepts every PUT /v1/config and echoes its version: this measures
 * the operator's memory, not the sidecar's (50 real sidecar processes are PropagationBenchmark's job).
 * {@code ./mvnw -B -pl operator -am verify -DskipITs -Dexcluded.test.groups= -Dgroups=benchmark
 * -Dtest=OperatorMemoryBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.namespaces=10]}; figures in
 * operator/target/bench/memory.txt.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(OperatorMemoryBenchmark.Quiet.class)
@Tag("benchmark")
class OperatorMemoryBenchmark {
    /** Confirmed versions are trusted for the whole run, as in production (the test profile re-checks every 2 s). */
    public static class Quiet implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.sidecar.verify-interval", "30m",
                    "faultline.sidecar.request-timeout", "20s",
                    // the mock API server scans every stored resource per request: slow with 6,000 of them
                    "quarkus.kubernetes-client.request-timeout", "120S",
                    "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN",
                    "quarkus.log.category.\"io.faultline.operator.timing\".level", "DEBUG");
        }
    }

    private static final int SESSIONS_PER_NAMESPACE = 100;
    private static final int PODS_PER_NAMESPACE = 500;
    private static final int APPS_PER_NAMESPACE = 50; // 10 pods per app label; sessions i and i+50 select app i % 50

    @Inject
    KubernetesClient client;
    @Inject
    MeterRegistry registry;

    @Test
    void thousandSessionsAndFiveThousandPods() throws Exception {
        int namespaces = Integer.getInteger("bench.namespaces", 10);
        long heapAtStart = usedHeapAfterGc();
        FakeAdminEndpoint admin = new FakeAdminEndpoint();
        ExecutorService creators = Executors.newFixedThreadPool(4);
        try {
            long started = System.nanoTime();
            List<Future<?>> created = new ArrayList<>();
            for (int n = 0; n < namespaces; n++) {
                String ns = "mem-" + n;
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
                for (int p = 0; p < PODS_PER_NAMESPACE; p++) {
                    int pod = p;
                    created.add(creators.submit(() -> withRetries(() -> createPod(ns, pod, admin.port()))));
                }
            }
            for (Future<?> f : created) {
                f.get();
            }
            created.clear();
            long sessionsStarted = System.nanoTime();
            for (int n = 0; n < namespaces; n++) {
                String ns = "mem-" + n;
                for (int s = 0; s < SESSIONS_PER_NAMESPACE; s++) {
                    int session = s;
                    created.add(creators.submit(() -> withRetries(() -> client.resources(FaultSession.class).inNamespace(ns)
                            .resource(session(ns, session)).create())));
                }
            }
            for (Future<?> f : created) {
                f.get();
            }
            long createdAt = System.nanoTime();
            System.out.printf("all created after %d s; heap used now (no GC) %.0f MiB%n",
                    TimeUnit.NANOSECONDS.toSeconds(createdAt - started), mib(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));
            int settledSessions = awaitAllConfigured(namespaces);
            long settled = System.nanoTime();

            long heap = usedHeapAfterGc();
            String histogram = classHistogram(25);
            Timer syncs = registry.get("faultline.namespace.syncs").timer();
            String report = String.format("namespaces=%d sessions=%d pods=%d%n"
                    + "create all: %d s; then %d s until %d of %d sessions reported every pod configured%n"
                    + "first session created -> all sessions report every pod configured: %d s (sessions created in %d s)%n"
                    + "namespace syncs: %d, total %.1f s, mean %.0f ms, max %.0f ms; reconciles served by another's sync: %.0f;"
                    + " pod configs compiled %.0f, memoized %.0f%n"
                    + "used heap after GC: at start %.1f MiB, with everything reconciled %.1f MiB (max heap %.0f MiB)%n"
                    + "machine: %d cpus, load %s, java %s%n%n%s",
                    namespaces, namespaces * SESSIONS_PER_NAMESPACE, namespaces * PODS_PER_NAMESPACE,
                    TimeUnit.NANOSECONDS.toSeconds(createdAt - started), TimeUnit.NANOSECONDS.toSeconds(settled - createdAt),
                    settledSessions, namespaces * SESSIONS_PER_NAMESPACE,
                    TimeUnit.NANOSECONDS.toSeconds(settled - sessionsStarted), TimeUnit.NANOSECONDS.toSeconds(createdAt - sessionsStarted),
                    syncs.count(), syncs.totalTime(TimeUnit.SECONDS), syncs.mean(TimeUnit.MILLISECONDS), syncs.max(TimeUnit.MILLISECONDS),
                    registry.get("faultline.namespace.syncs.coalesced").counter().count(),
                    registry.get("faultline.pod.configs.compiled").counter().count(),
                    registry.get("faultline.pod.configs.memoized").counter().count(),
                    mib(heapAtStart), mib(heap), mib(Runtime.getRuntime().maxMemory()),
                    Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim(),
                    System.getProperty("java.version"), histogram);
            System.out.println(report);
            Path out = Path.of("target", "bench", "memory.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
            assertThat(heap).isPositive();
        } finally {
            creators.shutdownNow();
            admin.close();
        }
    }

    private void createPod(String ns, int index, int adminPort) {
        client.pods().inNamespace(ns).resource(new PodBuilder()
                .withNewMetadata().withName("pod-" + index).withNamespace(ns)
                .withLabels(Map.of("app", "app-" + (index % APPS_PER_NAMESPACE), "tier", "bench"))
                .withAnnotations(Map.of(SidecarPods.ADMIN_PORT_ANNOTATION, String.valueOf(adminPort)))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("shop:1").endContainer()
                .addNewContainer().withName(SidecarPods.SIDECAR_CONTAINER).withImage("faultline-sidecar:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus()
                .build()).create();
    }

    /**
     * Waits until every session reports all its pods configured, or bench.settle-minutes (30) pass: then the heap is
     * measured anyway and the report says how many sessions had settled.
     */
    private int awaitAllConfigured(int namespaces) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(Integer.getInteger("bench.settle-minutes", 30)).toNanos();
        int done = 0;
        while (System.nanoTime() < deadline) {
            done = 0;
            for (int n = 0; n < namespaces; n++) {
                for (FaultSession s : client.resources(FaultSession.class).inNamespace("mem-" + n).list().getItems()) {
                    if (s.getStatus() != null && s.getStatus().phase == SessionPhase.Active
                            && Integer.valueOf(PODS_PER_NAMESPACE / APPS_PER_NAMESPACE).equals(s.getStatus().configuredPods)) {
                        done++;
                    }
                }
            }
            if (done == namespaces * SESSIONS_PER_NAMESPACE) {
                return done;
            }
            System.out.printf("%d of %d sessions report every pod configured; heap used now (no GC) %.0f MiB%n", done,
                    namespaces * SESSIONS_PER_NAMESPACE, mib(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));
            Thread.sleep(15000);
        }
        return done;
    }

    private static void withRetries(Runnable create) {
        for (int attempt = 1;; attempt++) {
            try {
                create.run();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 || attempt == 5) { // 409: an earlier attempt did land
                    if (e.getCode() == 409) {
                        return;
                    }
                    throw e;
                }
            }
        }
    }

    private static FaultSession session(String ns, int index) {
        FaultSession session = new FaultSession();
        session.setMetadata(new ObjectMetaBuilder().withName("session-" + index).withNamespace(ns).build());
        Target target = new Target();
        target.name = "app-" + index;
        target.port = 8000 + index;
        target.listenPort = 18000 + index;
        FaultSpec fault = new FaultSpec();
        fault.name = "slow-" + index;
        fault.latency = new LatencyFault();
        fault.latency.fixed = (10 + index) + "ms";
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of("app", "app-" + (index % APPS_PER_NAMESPACE)));
        spec.targets = List.of(target);
        spec.faults = List.of(fault);
        session.setSpec(spec);
        return session;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(300);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String classHistogram(int lines) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(ProcessHandle.current().pid()), "GC.class_histogram").redirectErrorStream(true).start();
            String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor();
            return output.lines().limit(lines + 3L).reduce("", (a, b) -> a + b + "\n");
        } catch (IOException | InterruptedException e) {
            return "no class histogram: " + e;
        }
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
