package io.faultline.operator.reconciler;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import java.util.stream.Collectors;

import io.faultline.crds.status.PodState;
import io.faultline.operator.status.PodOutcome;

/**
 * What one namespace sync did, computed as of {@code at}: the resolution of every session, the outcome of every selected pod per session (by
 * session UID), and the outcome of every pod of the namespace by pod name.
 */
public record NamespaceSyncResult(Instant at, Map<String, SessionResolution> resolutions, Map<String, List<PodOutcome>> podsBySession,
        Map<String, PodOutcome> outcomeByPodName) {

    public List<PodOutcome> podsOf(String sessionUid) {
        return podsBySession.getOrDefault(sessionUid, List.of());
    }

    /** True when the pod is injected but does not run yet (no IP, or its sidecar is not running). */
    public boolean starting(String podName) {
        PodOutcome outcome = outcomeByPodName.get(podName);
        return outcome != null && outcome.state() == PodState.Starting;
    }

    /** Names of the given pods whose sidecar could not be brought to its desired config. */
    public List<String> unconfigured(List<String> podNames) {
        return podNames.stream().filter(name -> {
            PodOutcome outcome = outcomeByPodName.get(name);
            return outcome != null && outcome.state() == PodState.Unreachable;
        }).sorted().collect(Collectors.toList());
    }
}
