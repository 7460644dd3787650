package io.faultline.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

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
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.testing.SidecarProcess;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Propagation: how long a FaultSession edit takes to reach N real sidecar processes (default 50), measured per
 * sidecar from the edit until its GET /v1/config reports a new version. Not part of the default run:
 * {@code ./mvnw -B -pl operator -am test -Dtest=PropagationBenchmark -Dexcluded.test.groups=none
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.sidecars=50 -Dbench.edits=10]}. Figures go to
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
    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    KubernetesClient client;

    @Test
    void sessionEditsReachEverySidecar() throws Exception {
        int sidecarCount = Integer.getInteger("bench.sidecars", 50);
        int edits = Integer.getInteger("bench.edits", 10);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(8, sidecarCount));
        List<SidecarProcess> sidecars = startAll(pool, sidecarCount);
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
            Map<Integer, String> empty = versions(sidecars);
            Instant created = Instant.now();
            client.resources(FaultSession.class).inNamespace(NS).resource(session("100ms")).create();
            List<Duration> initial = awaitNewVersion(pool, sidecars, empty, created);
            awaitSessionSettled(sidecarCount);

            List<Duration> samples = new ArrayList<>();
            for (int edit = 1; edit <= edits; edit++) {
                Map<Integer, String> before = versions(sidecars);
                String fixed = (100 + edit) + "ms";
                Instant editedAt = Instant.now();
                client.resources(FaultSession.class).inNamespace(NS).withName("bench").edit(s -> {
                    s.getSpec().faults.get(0).latency.fixed = fixed;
                    return s;
                });
                List<Duration> reached = awaitNewVersion(pool, sidecars, before, editedAt);
                System.out.printf("edit %d at %s: all %d sidecars reported the new version after %d ms%n", edit, editedAt,
                        reached.size(), Collections.max(reached).toMillis());
                samples.addAll(reached);
            }
            Collections.sort(samples);
            String report = String.format("sidecars=%d edits=%d samples=%d%n"
                    + "first apply (create -> all configured): max %d ms%n"
                    + "edit -> sidecar reports new version: p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n"
                    + "machine: %d cpus, load %s, java %s%n",
                    sidecarCount, edits, samples.size(), Collections.max(initial).toMillis(),
                    percentile(samples, 50), percentile(samples, 90), percentile(samples, 99), samples.get(samples.size() - 1).toMillis(),
                    Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim(),
                    System.getProperty("java.version"));
            System.out.println(report);
            Path out = Path.of("target", "bench", "propagation.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
            assertThat(samples).hasSize(sidecarCount * edits);
        } finally {
            for (SidecarProcess sidecar : sidecars) {
                sidecar.close();
            }
            pool.shutdownNow();
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

    private static List<SidecarProcess> startAll(ExecutorService ignored, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4); // JVM start-ups compete for the CPUs
        List<Future<SidecarProcess>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(pool.submit(SidecarProcess::start));
        }
        List<SidecarProcess> sidecars = new ArrayList<>();
        for (Future<SidecarProcess> future : futures) {
            sidecars.add(future.get());
        }
        pool.shutdown();
        return sidecars;
    }

    /** Per sidecar: the time from {@code since} until it reports a version other than {@code before}. */
    private List<Duration> awaitNewVersion(ExecutorService pool, List<SidecarProcess> sidecars, Map<Integer, String> before,
            Instant since) throws Exception {
        List<Future<Duration>> futures = new ArrayList<>();
        for (int i = 0; i < sidecars.size(); i++) {
            int index = i;
            Callable<Duration> watch = () -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
                while (System.nanoTime() < deadline) {
                    if (!version(sidecars.get(index)).equals(before.get(index))) {
                        return Duration.between(since, Instant.now());
                    }
                    Thread.sleep(50);
                }
                throw new AssertionError("sidecar " + index + " never got the new version");
            };
            futures.add(pool.submit(watch));
        }
        List<Duration> durations = new ArrayList<>();
        for (Future<Duration> future : futures) {
            durations.add(future.get());
        }
        return durations;
    }

    private Map<Integer, String> versions(List<SidecarProcess> sidecars) throws Exception {
        Map<Integer, String> versions = new HashMap<>();
        for (int i = 0; i < sidecars.size(); i++) {
            versions.put(i, version(sidecars.get(i)));
        }
        return versions;
    }

    private String version(SidecarProcess sidecar) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/v1/config")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).path("version").asText("");
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
