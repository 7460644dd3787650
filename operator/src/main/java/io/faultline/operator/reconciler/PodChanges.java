package io.faultline.operator.reconciler;

import java.util.Objects;

import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.operator.sidecar.SidecarPods;

/** Filters pod updates down to those that can change selection or configuration. */
final class PodChanges {
    private PodChanges() {
    }

    static boolean relevant(Pod updated, Pod previous) {
        return !Objects.equals(updated.getMetadata().getLabels(), previous.getMetadata().getLabels())
                || !Objects.equals(updated.getMetadata().getAnnotations(), previous.getMetadata().getAnnotations())
                || !Objects.equals(updated.getMetadata().getDeletionTimestamp(), previous.getMetadata().getDeletionTimestamp())
                || !Objects.equals(podIp(updated), podIp(previous))
                || !Objects.equals(phase(updated), phase(previous))
                || SidecarPods.isInjected(updated) != SidecarPods.isInjected(previous)
                || SidecarPods.sidecarRunning(updated) != SidecarPods.sidecarRunning(previous)
                // a restarted sidecar (classic or native) lost its config
                || !SidecarPods.sidecarInstance(updated).equals(SidecarPods.sidecarInstance(previous));
    }

    private static String podIp(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }
}
