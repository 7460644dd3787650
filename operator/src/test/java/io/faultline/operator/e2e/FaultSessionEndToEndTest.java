package io.faultline.operator.e2e;

import static io.faultline.operator.compiler.Sessions.latency;
import static io.faultline.operator.e2e.Fixtures.inbound;
import static io.faultline.operator.e2e.Fixtures.injectedPod;
import static io.faultline.operator.e2e.Fixtures.namespace;
import static io.faultline.operator.e2e.Fixtures.plainPod;
import static io.faultline.operator.e2e.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;
import io.faultline.crds.common.Condition;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.qos.QosBandwidth;
import io.faultline.crds.qos.QosLatency;
import io.faultline.crds.qos.QosLoss;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.HttpMatch;
import io.faultline.crds.spec.ProfileReference;
import io.faultline.crds.spec.Sampling;
import io.faultline.crds.spec.Schedule;
import io.faultline.crds.spec.Target;
import io.faultline.crds.spec.TargetProtocol;
import io.faultline.crds.status.FaultSessionStatus;
import io.faultline.crds.status.PodState;
import io.faultline.crds.status.SessionPhase;
import io.faultline.operator.testing.EchoServer;
import io.faultline.operator.testing.SidecarProcess;
import io.faultline.operator.testing.TcpProbe;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The operator against the fabric8 mock API server, with real sidecar processes as the pods' sidecars and an echo
 * server as the application: every assertion about faults is made on real traffic through the sidecar.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class FaultSessionEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration SLOW = Duration.ofMillis(280); // a 300ms latency fault, minus timer slack
    private static final Duration FAST = Duration.ofMillis(250); // fastest of 3 probes, no fault
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    KubernetesClient client;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @TestHTTPResource("/q/health/ready")
    URL readiness;

    @Test
    void latencyFollowsTheSessionThroughEditExpiryAndDelete() throws Exception {
        String ns = "lifecycle";
        namespace(client, ns);
        try (SidecarProcess sidecar = SidecarProcess.start(); EchoServer app = new EchoServer()) {
            int listenPort = TcpProbe.freePort();
            injectedPod(client, ns, "checkout-1", Map.of("app", "checkout"), sidecar.adminPort());
            sessions(ns).resource(session(ns, "slow-checkout", Map.of("app", "checkout"), inbound("app", app.port(), listenPort),
                    latency("slow", "300ms"))).create();

            awaitReady(ns, "slow-checkout", 1);
            assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(SLOW);
            FaultSession active = get(ns, "slow-checkout");
            assertThat(active.getMetadata().getFinalizers()).contains("faultsessions.faultline.io/cleanup");
            assertThat(active.getStatus().phase).isEqualTo(SessionPhase.Active);
            assertThat(List.of(active.getStatus().selectedPods, active.getStatus().injectedPods, active.getStatus().configuredPods))
                    .containsExactly(1, 1, 1);
            assertThat(active.getStatus().pods.get(0).configVersion).isEqualTo(sidecarVersion(sidecar));
            assertThat(eventReasons(ns, "slow-checkout")).contains("Activated");

            // Live edit: the fault is removed, the traffic is fast again, without any restart.
            edit(ns, "slow-checkout", s -> {
                s.getSpec().faults.clear();
                return s;
            });
            awaitGeneration(ns, "slow-checkout", 2);
            assertThat(TcpProbe.fastestOf(listenPort, 3)).isLessThan(FAST);

            // Back, with a schedule that ends in a few seconds (the start defaults to the creation time).
            Instant created = Instant.parse(active.getMetadata().getCreationTimestamp());
            long seconds = Duration.between(created, Instant.now()).getSeconds() + 5;
            edit(ns, "slow-checkout", s -> {
                s.getSpec().faults = new ArrayList<>(List.of(latency("slow", "300ms")));
                s.getSpec().schedule = new Schedule(null, seconds + "s");
                return s;
            });
            awaitGeneration(ns, "slow-checkout", 3);
            assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(SLOW);
            assertThat(get(ns, "slow-checkout").getStatus().expiresAt).isEqualTo(created.plusSeconds(seconds).toString());

            Await.until("phase Expired", WAIT, () -> get(ns, "slow-checkout").getStatus().phase == SessionPhase.Expired,
                    () -> get(ns, "slow-checkout").getStatus().phase);
            assertThat(TcpProbe.fastestOf(listenPort, 3)).isLessThan(FAST);
            assertThat(readyCondition(ns, "slow-checkout").reason).isEqualTo("Expired");
            assertThat(eventReasons(ns, "slow-checkout")).contains("Expired");

            // Delete: the finalizer removes the session's listeners and rules from the sidecar before the resource goes.
            sessions(ns).withName("slow-checkout").delete();
            Await.until("the session to be gone", WAIT, () -> sessions(ns).withName("slow-checkout").get() == null,
                    () -> get(ns, "slow-checkout").getMetadata());
            JsonNode config = sidecarConfig(sidecar);
            assertThat(config.get("rules")).isEmpty();
            assertThat(config.get("listeners")).isEmpty();

            // What happened is visible to Prometheus, and the operator reports itself healthy.
            assertThat(httpGet(metrics)).contains("faultline_sidecar_pushes_total{outcome=\"pushed\"}",
                    "faultline_sidecar_push_seconds_count", "faultline_session_reconciles_total{phase=\"Expired\"}");
            assertThat(httpGet(readiness)).contains("\"status\": \"UP\"");
        }
    }

    @Test
    void anInvalidEditFailsTheSessionAndLeavesTheSidecarsAsTheyWere() throws Exception {
        String ns = "invalid";
        namespace(client, ns);
        try (SidecarProcess sidecar = SidecarProcess.start(); EchoServer app = new EchoServer()) {
            int listenPort = TcpProbe.freePort();
            injectedPod(client, ns, "cart-1", Map.of("app", "cart"), sidecar.adminPort());
            sessions(ns).resource(session(ns, "slow-cart", Map.of("app", "cart"), inbound("app", app.port(), listenPort),
                    latency("slow", "300ms"))).create();
            awaitReady(ns, "slow-cart", 1);
            String versionBefore = sidecarVersion(sidecar);

            // An edit the API server stores (a fault naming an unknown target would be refused by the CRD's CEL rule,
            // so it never reaches the operator) and only the operator can find wrong: a regex that does not compile.
            edit(ns, "slow-cart", s -> {
                s.getSpec().faults.set(0, latency("slow", "1ms"));
                FaultSpec badRegex = latency("by-path", "2s");
                badRegex.match = new HttpMatch();
                badRegex.match.pathRegex = "/api/(v1";
                s.getSpec().faults.add(badRegex);
                return s;
            });

            Await.until("phase Failed", WAIT, () -> get(ns, "slow-cart").getStatus().phase == SessionPhase.Failed,
                    () -> get(ns, "slow-cart").getStatus().phase);
            Condition ready = readyCondition(ns, "slow-cart");
            assertThat(ready.status).isEqualTo("False");
            assertThat(ready.reason).isEqualTo("InvalidSpec");
            assertThat(ready.message).contains(
                    "spec.faults[1].match.pathRegex '/api/(v1' is not accepted: missing closing )");
            assertThat(ready.observedGeneration).isEqualTo(2);
            Await.until("a Warning event InvalidSpec", WAIT, () -> eventReasons(ns, "slow-cart").contains("InvalidSpec"),
                    () -> eventReasons(ns, "slow-cart"));
            assertThat(eventMessages(ns, "slow-cart", "InvalidSpec")).anyMatch(m -> m.contains("spec.faults[1].match.pathRegex '/api/(v1'"));
            assertThat(sidecarVersion(sidecar)).isEqualTo(versionBefore);
            assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(SLOW);
            // the last valid spec is recorded on the session (what a restarted operator falls back to), not the broken one
            String recorded = get(ns, "slow-cart").getMetadata().getAnnotations().get("faultline.io/last-valid-spec");
            assertThat(recorded).contains("\"300ms\"").doesNotContain("/api/(v1");
        }
    }

    @Test
    void aMissingProfileFailsTheSessionUntilItExistsAndProfileEditsReachTheSidecar() throws Exception {
        String ns = "qos";
        namespace(client, ns);
        try (SidecarProcess sidecar = SidecarProcess.start(); EchoServer app = new EchoServer()) {
            int listenPort = TcpProbe.freePort();
            injectedPod(client, ns, "search-1", Map.of("app", "search"), sidecar.adminPort());
            FaultSession session = session(ns, "flaky-search", Map.of("app", "search"), inbound("app", app.port(), listenPort));
            session.getSpec().qosProfileRef = new ProfileReference("flaky-3g");
            sessions(ns).resource(session).create();

            Await.until("phase Failed for the missing profile", WAIT,
                    () -> get(ns, "flaky-search").getStatus() != null && get(ns, "flaky-search").getStatus().phase == SessionPhase.Failed,
                    () -> get(ns, "flaky-search").getStatus());
            assertThat(readyCondition(ns, "flaky-search").reason).isEqualTo("QoSProfileUnusable");
            assertThat(readyCondition(ns, "flaky-search").message).contains("QoSProfile 'flaky-3g' not found in namespace 'qos'");

            client.resources(QoSProfile.class).inNamespace(ns).resource(profile(ns, "flaky-3g", "300ms")).create();
            awaitReady(ns, "flaky-search", 1);
            assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(SLOW);
            Await.until("the profile to be Ready with one session", WAIT, () -> {
                QoSProfile p = client.resources(QoSProfile.class).inNamespace(ns).withName("flaky-3g").get();
                return p.getStatus() != null && Integer.valueOf(1).equals(p.getStatus().sessions)
                        && p.getStatus().conditions.stream().anyMatch(c -> c.type.equals("Ready") && c.status.equals("True"));
            }, () -> client.resources(QoSProfile.class).inNamespace(ns).withName("flaky-3g").get().getStatus());

            String before = sidecarVersion(sidecar);
            client.resources(QoSProfile.class).inNamespace(ns).withName("flaky-3g").edit(p -> {
                p.getSpec().latency.mean = "1ms";
                return p;
            });
            Await.until("the sidecar to get the edited profile", WAIT, () -> !sidecarVersion(sidecar).equals(before),
                    () -> sidecarConfig(sidecar));
            assertThat(TcpProbe.fastestOf(listenPort, 3)).isLessThan(FAST);
        }
    }

    /**
     * A QoSProfile on an http target through a real sidecar: bandwidth paces response bodies (before, it compiled to a
     * tcp bandwidth rule that acts only on upgraded connections: a 64 KiB download at a 32 KiB/s profile took 50-130
     * ms), and loss, which has no per-request form, is reported on the session instead of failing it.
     */
    @Test
    void aQosProfileOnAnHttpTargetPacesBodiesAndSaysWhatItLeavesOut() throws Exception {
        String ns = "qos-http";
        namespace(client, ns);
        HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = new byte[64 * 1024];
        app.createContext("/file", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        app.start();
        try (SidecarProcess sidecar = SidecarProcess.start()) {
            int listenPort = TcpProbe.freePort();
            injectedPod(client, ns, "downloads-1", Map.of("app", "downloads"), sidecar.adminPort());
            QoSProfile thin = new QoSProfile();
            thin.getMetadata().setName("thin");
            thin.getMetadata().setNamespace(ns);
            thin.setSpec(new QoSProfileSpec());
            thin.getSpec().bandwidth = new QosBandwidth();
            thin.getSpec().bandwidth.downstream = "32KiB";
            thin.getSpec().loss = new QosLoss();
            thin.getSpec().loss.probability = 0.5;
            client.resources(QoSProfile.class).inNamespace(ns).resource(thin).create();
            Target web = inbound("web", app.getAddress().getPort(), listenPort);
            web.protocol = TargetProtocol.HTTP;
            FaultSession session = session(ns, "thin-downloads", Map.of("app", "downloads"), web);
            session.getSpec().qosProfileRef = new ProfileReference("thin");
            sessions(ns).resource(session).create();

            awaitReady(ns, "thin-downloads", 1);
            assertThat(download(listenPort)).as("64 KiB at 32 KiB/s").isGreaterThanOrEqualTo(Duration.ofMillis(1500));
            Condition applied = condition(ns, "thin-downloads", "QoSProfileApplied");
            assertThat(applied.status).isEqualTo("False");
            assertThat(applied.reason).isEqualTo("PartiallyApplied");
            assertThat(applied.message).contains("QoSProfile 'thin' loss is not applied to HTTP requests on http target 'web'");
            assertThat(get(ns, "thin-downloads").getStatus().phase).isEqualTo(SessionPhase.Active);
            Await.until("a Warning event QoSProfilePartiallyApplied", WAIT,
                    () -> eventMessages(ns, "thin-downloads", "QoSProfilePartiallyApplied").stream()
                            .anyMatch(m -> m.contains("loss is not applied to HTTP requests on http target 'web'")),
                    () -> eventReasons(ns, "thin-downloads"));

            // Without loss the profile applies in full; a faster rate reaches the sidecar.
            client.resources(QoSProfile.class).inNamespace(ns).withName("thin").edit(p -> {
                p.getSpec().loss = null;
                p.getSpec().bandwidth.downstream = "16MiB";
                return p;
            });
            Await.until("QoSProfileApplied True", WAIT, () -> "True".equals(condition(ns, "thin-downloads", "QoSProfileApplied").status),
                    () -> get(ns, "thin-downloads").getStatus().conditions);
            Await.until("the sidecar to get the faster rate", WAIT, () -> sidecarConfig(sidecar).toString().contains("16MiB"),
                    () -> sidecarConfig(sidecar));
            assertThat(download(listenPort)).isLessThan(Duration.ofMillis(1000));
        } finally {
            app.stop(0);
        }
    }

    /** The second of two downloads (the first warms the client up: its class loading alone can take a second). */
    private static Duration download(int port) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        downloadOnce(http, port);
        return downloadOnce(http, port);
    }

    private static Duration downloadOnce(HttpClient http, int port) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<byte[]> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/file")).build(), HttpResponse.BodyHandlers.ofByteArray());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(64 * 1024);
        return took;
    }

    private Condition condition(String ns, String name, String type) {
        return get(ns, name).getStatus().conditions.stream().filter(c -> c.type.equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type + " in " + get(ns, name).getStatus().conditions));
    }

    @Test
    void aSidecarThatWasDownReceivesItsConfigWhenItComesBack() throws Exception {
        String ns = "recovery";
        namespace(client, ns);
        try (SidecarProcess sidecar = SidecarProcess.start(); EchoServer app = new EchoServer()) {
            int listenPort = TcpProbe.freePort();
            sidecar.stop();
            injectedPod(client, ns, "payments-1", Map.of("app", "payments"), sidecar.adminPort());
            sessions(ns).resource(session(ns, "slow-payments", Map.of("app", "payments"), inbound("app", app.port(), listenPort),
                    latency("slow", "300ms"))).create();

            Await.until("the pod to be reported Unreachable", WAIT, () -> {
                FaultSessionStatus status = get(ns, "slow-payments").getStatus();
                return status != null && !status.pods.isEmpty() && status.pods.get(0).state == PodState.Unreachable;
            }, () -> get(ns, "slow-payments").getStatus());
            assertThat(readyCondition(ns, "slow-payments").reason).isEqualTo("NotConfigured");
            assertThat(get(ns, "slow-payments").getStatus().pods.get(0).message).contains("unreachable");

            sidecar.restart();
            awaitReady(ns, "slow-payments", 1);
            assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(SLOW);
        }
    }

    @Test
    void theNamespaceKillSwitchClearsFaultsAndReleasingItRestoresThem() throws Exception {
        String ns = "killswitch";
        namespace(client, ns);
        try (SidecarProcess sidecar = SidecarProcess.start(); EchoServer app = new EchoServer()) {
            int listenPort = TcpProbe.freePort();
            injectedPod(client, ns, "web-1", Map.of("app", "web"), sidecar.adminPort());
            sessions(ns).resource(session(ns, "slow-web", Map.of("app", "web"), inbound("app", app.port(), listenPort),
                    latency("slow", "300ms"))).create();
            awaitReady(ns, "slow-web", 1);

            Instant pulled = Instant.now();
            client.namespaces().withName(ns).edit(n -> {
                n.getMetadata().setAnnotations(Map.of("faultline.io/kill-switch", "true"));
                return n;
            });
            Await.until("the faults to be gone", Duration.ofSeconds(10), () -> {
                try {
                    return TcpProbe.fastestOf(listenPort, 3).compareTo(FAST) < 0;
                } catch (IOException e) {
                    return false;
                }
            }, () -> sidecarConfig(sidecar));
            assertThat(Duration.between(pulled, Instant.now())).isLessThan(Duration.ofSeconds(10));
            Await.until("phase Paused by the kill switch", WAIT, () -> get(ns, "slow-web").getStatus().phase == SessionPhase.Paused,
                    () -> get(ns, "slow-web").getStatus().phase);
            assertThat(readyCondition(ns, "slow-web").reason).isEqualTo("KillSwitch");

            client.namespaces().withName(ns).edit(n -> {
                n.getMetadata().setAnnotations(Map.of());
                return n;
            });
            awaitReady(ns, "slow-web", 1);
            assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(SLOW);
        }
    }

    /** The global switch is an annotation on the operator's namespace (faultline.injection.operator-namespace). */
    @Test
    void theGlobalKillSwitchClearsFaultsInEveryNamespaceWithoutARestart() throws Exception {
        String ns = "globalkill";
        String operatorNamespace = "faultline-system"; // the test profile's POD_NAMESPACE default
        namespace(client, ns);
        if (client.namespaces().withName(operatorNamespace).get() == null) {
            namespace(client, operatorNamespace);
        }
        try (SidecarProcess sidecar = SidecarProcess.start(); EchoServer app = new EchoServer()) {
            int listenPort = TcpProbe.freePort();
            injectedPod(client, ns, "api-1", Map.of("app", "api"), sidecar.adminPort());
            sessions(ns).resource(session(ns, "slow-api", Map.of("app", "api"), inbound("app", app.port(), listenPort),
                    latency("slow", "300ms"))).create();
            awaitReady(ns, "slow-api", 1);

            Instant pulled = Instant.now();
            setGlobalKillSwitch(operatorNamespace, "true");
            Await.until("the faults to be gone", Duration.ofSeconds(10), () -> {
                try {
                    return TcpProbe.fastestOf(listenPort, 3).compareTo(FAST) < 0;
                } catch (IOException e) {
                    return false;
                }
            }, () -> sidecarConfig(sidecar));
            assertThat(Duration.between(pulled, Instant.now())).isLessThan(Duration.ofSeconds(10));
            Await.until("phase Paused by the kill switch", WAIT, () -> get(ns, "slow-api").getStatus().phase == SessionPhase.Paused,
                    () -> get(ns, "slow-api").getStatus().phase);
            assertThat(readyCondition(ns, "slow-api").reason).isEqualTo("KillSwitch");

            setGlobalKillSwitch(operatorNamespace, null);
            awaitReady(ns, "slow-api", 1);
            assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(SLOW);
        } finally {
            setGlobalKillSwitch(operatorNamespace, null);
        }
    }

    private void setGlobalKillSwitch(String operatorNamespace, String value) {
        client.namespaces().withName(operatorNamespace).edit(n -> {
            Map<String, String> annotations = new HashMap<>(
                    n.getMetadata().getAnnotations() == null ? Map.of() : n.getMetadata().getAnnotations());
            if (value == null) {
                annotations.remove("faultline.io/kill-switch-all");
            } else {
                annotations.put("faultline.io/kill-switch-all", value);
            }
            n.getMetadata().setAnnotations(annotations);
            return n;
        });
    }

    @Test
    void samplingChoosesAStableSubsetAndReportsPodsAwaitingInjection() {
        String ns = "sampling";
        namespace(client, ns);
        for (int i = 0; i < 5; i++) {
            plainPod(client, ns, "web-" + i, Map.of("app", "web"));
        }
        plainPod(client, ns, "db-0", Map.of("app", "db"));
        FaultSession session = session(ns, "two-webs", Map.of("app", "web"), inbound("app", 8080, 18080), latency("slow", "1s"));
        session.getSpec().sampling = new Sampling(Sampling.SamplingMode.Count, 2);
        sessions(ns).resource(session).create();

        Await.until("two pods selected", WAIT, () -> {
            FaultSessionStatus status = get(ns, "two-webs").getStatus();
            return status != null && Integer.valueOf(2).equals(status.selectedPods);
        }, () -> get(ns, "two-webs").getStatus());
        FaultSessionStatus status = get(ns, "two-webs").getStatus();
        assertThat(status.injectedPods).isZero();
        assertThat(status.pods).allSatisfy(p -> assertThat(p.state).isEqualTo(PodState.AwaitingInjection));
        assertThat(status.pods).allSatisfy(p -> assertThat(p.name).startsWith("web-"));
        assertThat(readyCondition(ns, "two-webs").reason).isEqualTo("NoPodsInjected");
        List<String> chosen = status.pods.stream().map(p -> p.name).sorted().collect(Collectors.toList());

        // Another pod coming that the session did not choose, or an unchosen one leaving, does not move the choice.
        String unchosen = List.of("web-0", "web-1", "web-2", "web-3", "web-4").stream().filter(n -> !chosen.contains(n)).findFirst()
                .orElseThrow();
        client.pods().inNamespace(ns).withName(unchosen).delete();
        Await.until("the deletion to be seen", WAIT, () -> client.pods().inNamespace(ns).withName(unchosen).get() == null, () -> unchosen);
        edit(ns, "two-webs", s -> {
            s.getSpec().paused = false; // a spec change forces a reconcile now
            return s;
        });
        awaitGeneration(ns, "two-webs", 2);
        assertThat(get(ns, "two-webs").getStatus().pods.stream().map(p -> p.name).sorted().collect(Collectors.toList()))
                .isEqualTo(chosen);
    }

    private static QoSProfile profile(String ns, String name, String mean) {
        QoSProfile profile = new QoSProfile();
        profile.getMetadata().setName(name);
        profile.getMetadata().setNamespace(ns);
        QoSProfileSpec spec = new QoSProfileSpec();
        spec.latency = new QosLatency();
        spec.latency.mean = mean;
        profile.setSpec(spec);
        return profile;
    }

    private NonNamespaceOperation<FaultSession, KubernetesResourceList<FaultSession>, Resource<FaultSession>> sessions(String ns) {
        return client.resources(FaultSession.class).inNamespace(ns);
    }

    private FaultSession get(String ns, String name) {
        return sessions(ns).withName(name).get();
    }

    private void edit(String ns, String name, UnaryOperator<FaultSession> change) {
        sessions(ns).withName(name).edit(change);
    }

    private void awaitReady(String ns, String name, int configuredPods) {
        Await.until(name + " Ready with " + configuredPods + " configured pods", WAIT, () -> {
            FaultSession session = get(ns, name);
            FaultSessionStatus status = session.getStatus();
            return status != null && Long.valueOf(session.getMetadata().getGeneration()).equals(status.observedGeneration)
                    && Integer.valueOf(configuredPods).equals(status.configuredPods)
                    && status.conditions.stream().anyMatch(c -> c.type.equals("Ready") && c.status.equals("True"));
        }, () -> get(ns, name).getStatus() == null ? "no status" : Serialization.asJson(get(ns, name).getStatus()));
    }

    private void awaitGeneration(String ns, String name, long generation) {
        Await.until(name + " observed generation " + generation + " and configured", WAIT, () -> {
            FaultSessionStatus status = get(ns, name).getStatus();
            return status != null && Long.valueOf(generation).equals(status.observedGeneration)
                    && status.conditions.stream().anyMatch(c -> c.type.equals("Configured") && c.status.equals("True"));
        }, () -> Serialization.asJson(get(ns, name).getStatus()));
    }

    private Condition readyCondition(String ns, String name) {
        return get(ns, name).getStatus().conditions.stream().filter(c -> c.type.equals("Ready")).findFirst().orElseThrow();
    }

    private List<String> eventReasons(String ns, String name) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> e.getInvolvedObject() != null && name.equals(e.getInvolvedObject().getName()))
                .map(Event::getReason).collect(Collectors.toList());
    }

    private List<String> eventMessages(String ns, String name, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> e.getInvolvedObject() != null && name.equals(e.getInvolvedObject().getName()))
                .filter(e -> reason.equals(e.getReason())).map(Event::getMessage).collect(Collectors.toList());
    }

    private static JsonNode sidecarConfig(SidecarProcess sidecar) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/v1/config")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String httpGet(URL url) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + " answered " + response.body()).isEqualTo(200);
        return response.body();
    }

    private static String sidecarVersion(SidecarProcess sidecar) {
        return Optional.ofNullable(sidecarConfig(sidecar).get("version")).map(JsonNode::asText).orElse("");
    }
}
