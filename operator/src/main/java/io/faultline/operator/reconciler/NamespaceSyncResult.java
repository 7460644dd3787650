package io.faultline.operator.reconciler;

import java.util.List;
import java.util.Map;

import io.faultline.operator.status.PodOutcome;

/**
 * What one namespace sync did: the resolution of every session, the outcome of every selected pod per session (by
 * session UID), and whether every injected pod of the namespace now runs its desired config.
 */
public record NamespaceSyncResult(Map<String, SessionResolution> resolutions, Map<String, List<PodOutcome>> podsBySession,
        List<String> unconfiguredPods) {

    public List<PodOutcome> podsOf(String sessionUid) {
        return podsBySession.getOrDefault(sessionUid, List.of());
    }

    public boolean everyInjectedPodConfigured() {
        return unconfiguredPods.isEmpty();
    }
}
