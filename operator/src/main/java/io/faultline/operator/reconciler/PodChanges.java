package io.faultline.operator.reconciler;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ContainerStatus;
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
                || !Objects.equals(sidecarRestarts(updated), sidecarRestarts(previous));
    }

    private static String podIp(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    /** A restarted sidecar lost its config: its restart count and container ID change. */
    private static List<String> sidecarRestarts(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return List.of();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(s -> SidecarPods.SIDECAR_CONTAINER.equals(s.getName()))
                .map(PodChanges::identity)
                .collect(Collectors.toList());
    }

    private static String identity(ContainerStatus status) {
        return status.getRestartCount() + "/" + status.getContainerID();
    }
}
