package io.faultline.operator.webhook;

import java.util.List;
import java.util.Map;

import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;

/** What admission needs to know about the cluster, and the one thing it writes (the namespace's token Secret). */
public interface ClusterLookup {
    /** Labels and annotations of a namespace (empty maps when it cannot be found). */
    NamespaceInfo namespace(String name);

    List<FaultSession> sessions(String namespace);

    Map<String, QoSProfile> profiles(String namespace);

    /** Makes sure the sidecars' admin token Secret exists in the namespace before a pod that mounts it is admitted. */
    void ensureTokenSecret(String namespace);

    record NamespaceInfo(Map<String, String> labels, Map<String, String> annotations) {
    }
}
