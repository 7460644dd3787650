package io.faultline.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Where an admission Event goes when the pod has no UID and maybe no name yet. */
class InjectionEventsTest {
    @Test
    void aPodWithAControllerReportsOnTheController() {
        Pod pod = new PodBuilder().withNewMetadata().withGenerateName("checkout-7d9f-").addNewOwnerReference().withApiVersion("apps/v1")
                .withKind("ReplicaSet").withName("checkout-7d9f").withUid("rs-uid").withController(true).endOwnerReference()
                .endMetadata().build();

        GenericKubernetesResource subject = InjectionEvents.subject(pod, "shop");

        assertThat(subject.getKind()).isEqualTo("ReplicaSet");
        assertThat(subject.getMetadata().getName()).isEqualTo("checkout-7d9f");
        assertThat(subject.getMetadata().getUid()).isEqualTo("rs-uid");
        assertThat(subject.getMetadata().getNamespace()).isEqualTo("shop");
    }

    @Test
    void aBarePodWithOnlyAGenerateNameGetsAValidEventName() {
        Pod pod = new PodBuilder().withNewMetadata().withGenerateName("checkout-").endMetadata().build();

        assertThat(InjectionEvents.subject(pod, "shop").getMetadata().getName()).isEqualTo("checkout");
        assertThat(InjectionEvents.podName(pod)).isEqualTo("checkout-*");
    }

    @Test
    void aNamedPodReportsOnItself() {
        Pod pod = new PodBuilder().withNewMetadata().withName("debug").endMetadata().build();

        assertThat(InjectionEvents.subject(pod, "shop").getKind()).isEqualTo("Pod");
        assertThat(InjectionEvents.subject(pod, "shop").getMetadata().getName()).isEqualTo("debug");
    }
}
