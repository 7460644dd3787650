package io.faultline.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.faultline.crds.FaultSession;
import io.faultline.crds.common.PodSelector;
import io.faultline.crds.fault.LatencyFault;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Schedule;
import io.faultline.crds.spec.Target;
import io.faultline.crds.status.PodState;
import io.faultline.crds.status.SessionPhase;
import io.faultline.operator.sidecar.ConfigPusher;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.status.PodOutcome;
import io.faultline.operator.testing.EchoServer;
import io.faultline.operator.testing.SidecarProcess;
import io.faultline.operator.testing.TcpProbe;
import io.faultline.operator.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * An operator restart loses nothing: a fresh operator (no memory at all) computes the same configs from the same
 * cluster state, finds the sidecars already running them and pushes nothing; the schedule is derived from the
 * resource, not from the operator's memory.
 */
class OperatorRestartTest {
    private static final Instant CREATED = Instant.now().minusSeconds(30);

    private SidecarProcess sidecar;
    private EchoServer app;
    private int listenPort;

    @BeforeEach
    void start() throws Exception {
        sidecar = SidecarProcess.start();
        app = new EchoServer();
        listenPort = TcpProbe.freePort();
    }

    @AfterEach
    void stop() throws Exception {
        sidecar.close();
        app.close();
    }

    @Test
    void aRestartedOperatorFindsTheSidecarsConfiguredAndPushesNothing() throws Exception {
        NamespaceView cluster = new NamespaceView("shop", List.of(session()), List.of(pod()), Map.of(), false);

        SimpleMeterRegistry before = new SimpleMeterRegistry();
        NamespaceSyncResult first = operator(before).sync(cluster, Instant.now());
        PodOutcome configured = first.podsOf("session-uid").get(0);
        assertThat(configured.state()).as(String.valueOf(configured.message())).isEqualTo(PodState.Configured);
        assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(Duration.ofMillis(280));

        SimpleMeterRegistry after = new SimpleMeterRegistry();
        NamespaceSyncResult second = operator(after).sync(cluster, Instant.now());

        assertThat(second.podsOf("session-uid").get(0)).isEqualTo(configured);
        assertThat(second.resolutions().get("session-uid").window().expiry()).contains(CREATED.plus(Duration.ofHours(1)));
        assertThat(after.counter("faultline.sidecar.pushes", "outcome", "pushed").count()).isZero();
        assertThat(after.counter("faultline.sidecar.pushes", "outcome", "unchanged").count()).isEqualTo(1);
        assertThat(sidecar.output().lines().filter(l -> l.contains("config_applied") && l.contains(configured.configVersion())))
                .hasSize(1);
    }

    /** "Nothing half-applied; what the sidecars had stays" also across a restart: the last valid spec is on the session. */
    @Test
    void aSessionThatBecameInvalidKeepsItsLastValidSpecAcrossARestart() throws Exception {
        FaultSession valid = session();
        NamespaceSyncResult first = operator(new SimpleMeterRegistry()).sync(view(valid), Instant.now());
        String version = first.podsOf("session-uid").get(0).configVersion();
        SessionResolution accepted = first.resolutions().get("session-uid");
        String recorded = LastValidSpec.toRecord(valid, accepted).orElseThrow(); // what the reconciler writes

        FaultSession broken = session();
        broken.getSpec().faults.get(0).targets = List.of("no-such-target");
        broken.getMetadata().setAnnotations(Map.of(LastValidSpec.ANNOTATION, recorded));
        SimpleMeterRegistry after = new SimpleMeterRegistry();
        NamespaceSyncResult restarted = operator(after).sync(view(broken), Instant.now());

        SessionResolution failed = restarted.resolutions().get("session-uid");
        assertThat(failed.verdict().phase()).isEqualTo(SessionPhase.Failed);
        assertThat(failed.verdict().message()).contains("no-such-target", "sidecars keep the last valid spec");
        assertThat(LastValidSpec.toRecord(broken, failed)).as("an invalid spec is never recorded").isEmpty();
        assertThat(restarted.podsOf("session-uid").get(0).configVersion()).isEqualTo(version);
        assertThat(after.counter("faultline.sidecar.pushes", "outcome", "pushed").count()).isZero();
        assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(Duration.ofMillis(280));
    }

    @Test
    void withoutTheRecordARestartedOperatorWouldDropTheRules() throws Exception {
        operator(new SimpleMeterRegistry()).sync(view(session()), Instant.now());
        FaultSession broken = session();
        broken.getSpec().faults.get(0).targets = List.of("no-such-target");

        SimpleMeterRegistry after = new SimpleMeterRegistry();
        operator(after).sync(view(broken), Instant.now());

        // the control case for the test above: the record is what keeps the rules
        assertThat(after.counter("faultline.sidecar.pushes", "outcome", "pushed").count()).isEqualTo(1);
    }

    private NamespaceView view(FaultSession session) {
        return new NamespaceView("shop", List.of(session), List.of(pod()), Map.of(), false);
    }

    private static NamespaceSynchronizer operator(SimpleMeterRegistry registry) {
        TestSettings settings = new TestSettings(SidecarProcess.TOKEN, Duration.ofMinutes(5));
        return new NamespaceSynchronizer(new SessionResolver(), new ConfigPusher(settings, registry), settings);
    }

    private FaultSession session() {
        FaultSession session = new FaultSession();
        session.setMetadata(new ObjectMetaBuilder().withName("slow").withNamespace("shop").withUid("session-uid")
                .withCreationTimestamp(CREATED.toString()).withGeneration(1L).build());
        Target target = new Target();
        target.name = "app";
        target.port = app.port();
        target.listenPort = listenPort;
        FaultSpec fault = new FaultSpec();
        fault.name = "slow";
        fault.latency = new LatencyFault();
        fault.latency.fixed = "300ms";
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of("app", "shop"));
        spec.schedule = new Schedule(null, "1h");
        spec.targets = List.of(target);
        spec.faults = List.of(fault);
        session.setSpec(spec);
        return session;
    }

    private Pod pod() {
        return new PodBuilder()
                .withNewMetadata().withName("shop-1").withNamespace("shop").withUid("pod-uid").withLabels(Map.of("app", "shop"))
                .withAnnotations(Map.of(SidecarPods.ADMIN_PORT_ANNOTATION, String.valueOf(sidecar.adminPort()),
                        SidecarPods.LISTEN_HOST_ANNOTATION, "127.0.0.1"))
                .endMetadata()
                .withNewSpec().addNewContainer().withName(SidecarPods.SIDECAR_CONTAINER).endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus()
                .build();
    }
}
