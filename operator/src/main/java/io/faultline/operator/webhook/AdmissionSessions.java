package io.faultline.operator.webhook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;
import io.faultline.crds.spec.Sampling.SamplingMode;
import io.faultline.operator.compiler.ResolvedSession;
import io.faultline.operator.reconciler.NamespaceView;
import io.faultline.operator.reconciler.SessionResolution;
import io.faultline.operator.reconciler.SessionResolver;
import io.faultline.operator.selection.LabelSelectorMatcher;

/**
 * The sessions that select a pod being created, resolved exactly as the operator resolves them (schedule, pause,
 * kill switch, QoS profile), so the initial config equals what the operator would push and it has nothing to push.
 * At admission a pod has no UID yet (often no name either), and sampling (One, Count, Percent) ranks pods by UID: only
 * sessions that take every matching pod ({@code sampling} absent or All) are applied at admission. A sampled session
 * that picks the pod later reaches it through the operator's push, like any live edit.
 */
public final class AdmissionSessions {
    private AdmissionSessions() {
    }

    public static List<ResolvedSession> selecting(Pod pod, String namespace, List<FaultSession> sessions, Map<String, QoSProfile> profiles,
            boolean killSwitch, Instant now) {
        NamespaceView view = new NamespaceView(namespace, sessions, List.of(pod), profiles, killSwitch);
        SessionResolver resolver = new SessionResolver(); // fresh: no "last valid spec" memory at admission
        List<ResolvedSession> selecting = new ArrayList<>();
        for (FaultSession session : sessions) {
            if (session.getMetadata().getDeletionTimestamp() != null || session.getSpec() == null) {
                continue;
            }
            if (session.getSpec().sampling != null && session.getSpec().sampling.mode != null
                    && session.getSpec().sampling.mode != SamplingMode.All) {
                continue;
            }
            SessionResolution resolution = resolver.resolve(session, view, now);
            if (resolution.effective() != null && LabelSelectorMatcher.matches(resolution.effective().spec().selector, PodParts.labels(pod))) {
                selecting.add(resolution.effective());
            }
        }
        return selecting;
    }
}
