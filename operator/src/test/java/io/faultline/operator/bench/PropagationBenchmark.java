package io.faultline.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.faultline.crds.FaultSession;
import io.faultline.crds.common.PodSelector;
import io.faultline.crds.fault.LatencyFault;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Target;
import io.faultline.crds.status.FaultSessionStatus;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.testing.SidecarJvmFlags;
import io.faultline.operator.testing.SidecarProcess;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Propagation: how long a FaultSession edit takes to reach N real sidecar processes (default 50), measured per
 * sidecar from the edit until the moment the sidecar committed the new config: its own {@code appliedAt} in
 * GET /v1/stats, same machine clock. The sidecars are asked only once the session's status says the edit's generation
 * is configured on every pod (polled every {@code bench.poll-ms}, default 250 ms), then every {@code bench.poll-ms}
 * for those still on the old version, so the harness neither sets the resolution of the figure nor loads the sidecars
 * while the operator pushes (it used to be 50 pollers every 50 ms: ~1,000 GET/s on the same 2 CPUs). The sidecars run with the image's JVM flags ({@code bench.sidecar.flags=image}, read from sidecar/Dockerfile;
 * {@code plain} = the bare -Xmx64m of earlier runs). Not part of the default run:
 * {@code ./mvnw -B -pl operator -am verify -DskipITs -Dtest=PropagationBenchmark -Dexcluded.test.groups= -Dgroups=benchmark
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.sidecars=50 -Dbench.edits=10 -Dbench.poll-ms=250]}. Figures go to
 * operator/target/bench/propagation.txt; recorded runs are in bench/results/.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(PropagationBenchmark.Patient.class)
@Tag("benchmark")
class PropagationBenchmark {
    /** Many JVMs on a small machine: give each sidecar call more time than the default 2 s. */
    public static class Patient implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.sidecar.request-timeout", "10s",
                    // per-phase timings of every reconcile, to read next to the per-edit lines this test prints
                    "quarkus.log.category.\"io.faultline.operator.timing\".level", "DEBUG");
        }
    }

    private static final String NS = "bench";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** HTTP/1.1 like the operator's client: the default (HTTP/2) would offer an h2c upgrade on every poll. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Inject
    KubernetesClient client;

    /** What a sidecar reports: the version in force and when it was committed (null before any). */
    private record Applied(String version, Instant at) {
    }

    @Test
    void sessionEditsReachEverySidecar() throws Exception {
        int sidecarCount = Integer.getInteger("bench.sidecars", 50);
        int edits = Integer.getInteger("bench.edits", 10);
        long pollMillis = Long.getLong("bench.poll-ms", 250);
        String flagSet = System.getProperty("bench.sidecar.flags", "image");
        List<String> sidecarFlags = SidecarJvmFlags.named(flagSet);
        List<SidecarProcess> sidecars = startAll(sidecarCount, sidecarFlags);
        try {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
            for (int i = 0; i < sidecarCount; i++) {
                client.pods().inNamespace(NS).resource(new PodBuilder()
                        .withNewMetadata().withName("pod-" + i).withNamespace(NS).withLabels(Map.of("app", "bench"))
                        .withAnnotations(Map.of(SidecarPods.ADMIN_PORT_ANNOTATION, String.valueOf(sidecars.get(i).adminPort()),
                                SidecarPods.LISTEN_HOST_ANNOTATION, "127.0.0." + (2 + i)))
                        .endMetadata()
                        .withNewSpec().addNewContainer().withName(SidecarPods.SIDECAR_CONTAINER).endContainer().endSpec()
                        .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus()
                        .build()).create();
            }
            Map<Integer, Applied> known = applied(sidecars);
            Instant created = Instant.now();
            long generation = client.resources(FaultSession.class).inNamespace(NS).resource(session("100ms")).create()
                    .getMetadata().getGeneration();
            Reached initial = awaitNewVersion(sidecars, known, created, pollMillis, generation);
            known = initial.applied();
            awaitSessionSettled(sidecarCount);

            warmUpEditCall();

            long sidecarCpuBefore = cpuMillis(sidecars);
            long operatorCpuBefore = operatorCpuMillis();
            List<Duration> samples = new ArrayList<>();
            List<String> perEdit = new ArrayList<>();
            for (int edit = 1; edit <= edits; edit++) {
                String fixed = (100 + edit) + "ms";
                Instant editedAt = Instant.now();
                long editedGeneration = client.resources(FaultSession.class).inNamespace(NS).withName("bench").edit(s -> {
                    s.getSpec().faults.get(0).latency.fixed = fixed;
                    return s;
                }).getMetadata().getGeneration();
                // the client's GET + PATCH to the mock API server (same JVM): counted in the samples, shown on its own
                long editCall = Duration.between(editedAt, Instant.now()).toMillis();
                Reached result = awaitNewVersion(sidecars, known, editedAt, pollMillis, editedGeneration);
                known = result.applied();
                List<Duration> reached = result.durations();
                List<Duration> sorted = new ArrayList<>(reached);
                Collections.sort(sorted);
                String line = String.format("edit %d at %s: edit call %d ms, first sidecar applied after %d ms, median %d ms, all %d after %d ms, load %s",
                        edit, editedAt, editCall, sorted.get(0).toMillis(), percentile(sorted, 50), reached.size(),
                        sorted.get(sorted.size() - 1).toMillis(), loadAverage());
                System.out.println(line);
                perEdit.add(line);
                samples.addAll(reached);
            }
            long sidecarCpu = cpuMillis(sidecars) - sidecarCpuBefore;
            long operatorCpu = operatorCpuMillis() - operatorCpuBefore;
            Collections.sort(samples);
            String report = String.format("sidecars=%d edits=%d samples=%d sidecar flags=%s %s poll=%d ms%n"
                    + "first apply (create -> all applied): max %d ms%n"
                    + "edit -> sidecar applied the new version (its appliedAt): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n"
                    + "CPU during the edits: sidecars %d ms in all (%.1f ms per sidecar per edit, polls included),"
                    + " test JVM (operator + mock API server + poller) %d ms (%d ms per edit)%n"
                    + "machine: %d cpus, load %s, java %s%n%s%n",
                    sidecarCount, edits, samples.size(), flagSet, sidecarFlags, pollMillis, Collections.max(initial.durations()).toMillis(),
                    percentile(samples, 50), percentile(samples, 90), percentile(samples, 99), samples.get(samples.size() - 1).toMillis(),
                    sidecarCpu, sidecarCpu / (double) (sidecarCount * edits), operatorCpu, operatorCpu / edits,
                    Runtime.getRuntime().availableProcessors(), loadAverage(), System.getProperty("java.version"),
                    String.join("\n", perEdit));
            System.out.println(report);
            Path out = Path.of("target", "bench", "propagation.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
            assertThat(samples).hasSize(sidecarCount * edits);
        } finally {
            for (SidecarProcess sidecar : sidecars) {
                sidecar.close();
            }
        }
    }

    /**
     * The harness's own first edit() (fabric8 client GET, JSON diff, PATCH; the mock API server's PATCH path) ran cold
     * code in this JVM: 1.5 s of edit 1 in the 15:41 UTC run, against ~0.1 s for later edits. Editing a ConfigMap, which
     * the operator does not watch, warms that harness path without touching the operator or the sidecars. The samples
     * still start before the edit call, and each edit line shows how long the call took.
     */
    private void warmUpEditCall() {
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("warm-up").endMetadata()
                .addToData("n", "0").build()).create();
        for (int i = 1; i <= 3; i++) {
            String value = String.valueOf(i);
            client.configMaps().inNamespace(NS).withName("warm-up").edit(cm -> {
                cm.getData().put("n", value);
                return cm;
            });
        }
    }

    /** Waits until the operator has recorded the first apply, so that edits are measured from a quiet state. */
    private void awaitSessionSettled(int sidecarCount) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            FaultSession session = client.resources(FaultSession.class).inNamespace(NS).withName("bench").get();
            if (session.getStatus() != null && Integer.valueOf(sidecarCount).equals(session.getStatus().configuredPods)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the session never reported " + sidecarCount + " configured pods");
    }

    private static List<SidecarProcess> startAll(int count, List<String> flags) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4); // JVM start-ups compete for the CPUs
        try {
            List<Future<SidecarProcess>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(() -> SidecarProcess.start(flags)));
            }
            List<SidecarProcess> sidecars = new ArrayList<>();
            for (Future<SidecarProcess> future : futures) {
                sidecars.add(future.get());
            }
            return sidecars;
        } finally {
            pool.shutdown();
        }
    }

    /** Per sidecar: how long the new version took, and what each sidecar reported last. */
    private record Reached(List<Duration> durations, Map<Integer, Applied> applied) {
    }

    /**
     * Per sidecar: from {@code since} until the sidecar committed a version other than the one in {@code before}, by
     * the sidecar's own appliedAt, so when the harness looks does not change the figure. To keep the harness's own
     * requests off the 2 CPUs while the operator pushes, it first waits (polling the session every {@code pollMillis})
     * until the session's status reports {@code generation} observed with every pod configured, then asks the sidecars;
     * sidecars still on the old version are asked again every {@code pollMillis}. After 5 s without that status it asks
     * the sidecars anyway, so a status that never comes cannot hide a sidecar that has the version.
     */
    private Reached awaitNewVersion(List<SidecarProcess> sidecars, Map<Integer, Applied> before, Instant since, long pollMillis,
            long generation) throws Exception {
        Map<Integer, Duration> reached = new HashMap<>();
        Map<Integer, Applied> now = new HashMap<>(before);
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(180).toNanos();
        boolean operatorDone = false;
        while (reached.size() < sidecars.size()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError((sidecars.size() - reached.size()) + " sidecars never got the new version");
            }
            Thread.sleep(pollMillis);
            operatorDone = operatorDone || operatorReportsConfigured(generation, sidecars.size());
            if (!operatorDone && System.nanoTime() - started < Duration.ofSeconds(5).toNanos()) {
                continue;
            }
            for (int i = 0; i < sidecars.size(); i++) {
                if (reached.containsKey(i)) {
                    continue;
                }
                Applied applied = applied(sidecars.get(i));
                now.put(i, applied);
                if (!applied.version().equals(before.get(i).version())) {
                    // appliedAt before the edit would mean the sidecar clock or the version bookkeeping is wrong
                    assertThat(applied.at()).as("sidecar %d appliedAt", i).isAfterOrEqualTo(since);
                    reached.put(i, Duration.between(since, applied.at()));
                }
            }
        }
        List<Duration> durations = new ArrayList<>();
        for (int i = 0; i < sidecars.size(); i++) {
            durations.add(reached.get(i));
        }
        return new Reached(durations, now);
    }

    private boolean operatorReportsConfigured(long generation, int pods) {
        FaultSession session = client.resources(FaultSession.class).inNamespace(NS).withName("bench").get();
        FaultSessionStatus status = session == null ? null : session.getStatus();
        return status != null && Long.valueOf(generation).equals(status.observedGeneration)
                && Integer.valueOf(pods).equals(status.configuredPods);
    }

    private Map<Integer, Applied> applied(List<SidecarProcess> sidecars) throws Exception {
        Map<Integer, Applied> applied = new HashMap<>();
        for (int i = 0; i < sidecars.size(); i++) {
            applied.put(i, applied(sidecars.get(i)));
        }
        return applied;
    }

    private Applied applied(SidecarProcess sidecar) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/v1/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode stats = JSON.readTree(response.body());
        String at = stats.path("appliedAt").asText(null);
        return new Applied(stats.path("version").asText(""), at == null ? null : Instant.parse(at));
    }

    /** User + system CPU of the sidecar processes so far, from /proc/PID/stat (clock ticks of 10 ms). */
    private static long cpuMillis(List<SidecarProcess> sidecars) throws IOException {
        long ticks = 0;
        for (SidecarProcess sidecar : sidecars) {
            String stat = Files.readString(Path.of("/proc", String.valueOf(sidecar.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
        }
        return ticks * 10;
    }

    private static long operatorCpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime()
                / 1_000_000;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    private static long percentile(List<Duration> sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index)).toMillis();
    }

    private static FaultSession session(String fixed) {
        FaultSession session = new FaultSession();
        session.setMetadata(new ObjectMetaBuilder().withName("bench").withNamespace(NS).build());
        Target target = new Target();
        target.name = "app";
        target.port = 9;
        target.listenPort = 18080;
        FaultSpec fault = new FaultSpec();
        fault.name = "slow";
        fault.latency = new LatencyFault();
        fault.latency.fixed = fixed;
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of("app", "bench"));
        spec.targets = List.of(target);
        spec.faults = new ArrayList<>(List.of(fault));
        session.setSpec(spec);
        return session;
    }
}
