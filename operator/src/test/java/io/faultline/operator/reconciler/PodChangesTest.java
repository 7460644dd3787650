package io.faultline.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.faultline.operator.sidecar.SidecarPods;

/** Which pod updates wake the FaultSession reconciler up. */
class PodChangesTest {

    @Test
    void aRestartedNativeSidecarIsNoticed() {
        Pod before = nativeSidecarPod(0, "containerd://a", 0);
        Pod after = nativeSidecarPod(1, "containerd://b", 0);

        assertThat(PodChanges.relevant(after, before)).isTrue();
    }

    @Test
    void aRestartedClassicSidecarIsNoticed() {
        Pod before = classicSidecarPod(0, "containerd://a");
        Pod after = classicSidecarPod(1, "containerd://b");

        assertThat(PodChanges.relevant(after, before)).isTrue();
    }

    @Test
    void anotherContainerRestartingIsNotASidecarChange() {
        Pod before = nativeSidecarPod(0, "containerd://a", 0);
        Pod after = nativeSidecarPod(0, "containerd://a", 3);

        assertThat(PodChanges.relevant(after, before)).isFalse();
    }

    @Test
    void aNativeSidecarMakesThePodInjected() {
        assertThat(SidecarPods.isInjected(nativeSidecarPod(0, "containerd://a", 0))).isTrue();
    }

    private static Pod nativeSidecarPod(int sidecarRestarts, String sidecarId, int appRestarts) {
        return new PodBuilder()
                .withNewMetadata().withName("p").withNamespace("ns").withLabels(Map.of("app", "shop")).endMetadata()
                .withNewSpec()
                .addNewInitContainer().withName(SidecarPods.SIDECAR_CONTAINER).withRestartPolicy("Always").endInitContainer()
                .addNewContainer().withName("app").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.0.0.1")
                .withInitContainerStatuses(new ContainerStatusBuilder().withName(SidecarPods.SIDECAR_CONTAINER)
                        .withRestartCount(sidecarRestarts).withContainerID(sidecarId).build())
                .withContainerStatuses(new ContainerStatusBuilder().withName("app").withRestartCount(appRestarts)
                        .withContainerID("containerd://app-" + appRestarts).build())
                .endStatus()
                .build();
    }

    private static Pod classicSidecarPod(int sidecarRestarts, String sidecarId) {
        return new PodBuilder()
                .withNewMetadata().withName("p").withNamespace("ns").endMetadata()
                .withNewSpec().addNewContainer().withName(SidecarPods.SIDECAR_CONTAINER).endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.0.0.1")
                .withContainerStatuses(new ContainerStatusBuilder().withName(SidecarPods.SIDECAR_CONTAINER)
                        .withRestartCount(sidecarRestarts).withContainerID(sidecarId).build())
                .endStatus()
                .build();
    }
}
