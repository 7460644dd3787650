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
import io.faultline.crds.spec.Target;
import io.faultline.operator.sidecar.ConfigPusher;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.testing.SidecarProcess;
import io.faultline.operator.testing.TcpProbe;
import io.faultline.operator.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The pusher's memory of confirmed versions does not outlive the pods: a long-running operator does not leak. */
class DeletedPodsAreForgottenTest {
    private SidecarProcess sidecar;
    private ConfigPusher pusher;
    private NamespaceSynchronizer synchronizer;
    private int listenPort;

    @BeforeEach
    void start() throws Exception {
        sidecar = SidecarProcess.start();
        listenPort = TcpProbe.freePort();
        TestSettings settings = new TestSettings(SidecarProcess.TOKEN, Duration.ofMinutes(5));
        pusher = new ConfigPusher(settings, new SimpleMeterRegistry());
        synchronizer = new NamespaceSynchronizer(new SessionResolver(), pusher, settings);
    }

    @AfterEach
    void stop() throws Exception {
        sidecar.close();
    }

    @Test
    void aDeletedPodIsForgottenByThePusher() {
        synchronizer.sync(view(pod("a", null), pod("b", null)), Instant.now());
        assertThat(pusher.rememberedPods()).isEqualTo(2);

        synchronizer.sync(view(pod("a", null)), Instant.now()); // b is gone from the cache

        assertThat(pusher.rememberedPods()).isEqualTo(1);
    }

    @Test
    void aTerminatingPodIsForgottenToo() {
        synchronizer.sync(view(pod("a", null)), Instant.now());

        synchronizer.sync(view(pod("a", Instant.now().toString())), Instant.now());

        assertThat(pusher.rememberedPods()).isZero();
    }

    private NamespaceView view(Pod... pods) {
        return new NamespaceView("shop", List.of(session()), List.of(pods), Map.of(), false);
    }

    private FaultSession session() {
        FaultSession session = new FaultSession();
        session.setMetadata(new ObjectMetaBuilder().withName("slow").withNamespace("shop").withUid("session-uid")
                .withCreationTimestamp(Instant.now().minusSeconds(5).toString()).withGeneration(1L).build());
        Target target = new Target();
        target.name = "app";
        target.port = 9;
        target.listenPort = listenPort;
        FaultSpec fault = new FaultSpec();
        fault.name = "slow";
        fault.latency = new LatencyFault();
        fault.latency.fixed = "100ms";
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of("app", "shop"));
        spec.targets = List.of(target);
        spec.faults = List.of(fault);
        session.setSpec(spec);
        return session;
    }

    /** Both pods reach the same sidecar process: what is counted is the operator's memory, not the sidecars. */
    private Pod pod(String name, String deletionTimestamp) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace("shop").withUid("uid-" + name).withLabels(Map.of("app", "shop"))
                .withDeletionTimestamp(deletionTimestamp)
                .withAnnotations(Map.of(SidecarPods.ADMIN_PORT_ANNOTATION, String.valueOf(sidecar.adminPort()),
                        SidecarPods.LISTEN_HOST_ANNOTATION, "127.0.0.1"))
                .endMetadata()
                .withNewSpec().addNewContainer().withName(SidecarPods.SIDECAR_CONTAINER).endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus()
                .build();
    }
}
