package io.faultline.operator.reconciler;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;

/** What the operator's caches hold about one namespace at the start of a reconcile. */
public record NamespaceView(String namespace, List<FaultSession> sessions, List<Pod> pods, Map<String, QoSProfile> profiles,
        boolean killSwitch) {

    public Optional<QoSProfile> profile(String name) {
        return Optional.ofNullable(profiles.get(name));
    }
}
