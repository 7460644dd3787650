package io.faultline.operator.webhook;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;

/** The cluster as admission sees it, in memory, recording the token Secrets it was asked for. */
final class InMemoryCluster implements ClusterLookup {
    final Map<String, NamespaceInfo> namespaces = new HashMap<>();
    final List<FaultSession> sessions = new ArrayList<>();
    final List<String> tokenSecretsEnsured = new ArrayList<>();
    RuntimeException failure;

    @Override
    public NamespaceInfo namespace(String name) {
        if (failure != null) {
            throw failure;
        }
        return namespaces.getOrDefault(name, new NamespaceInfo(Map.of(), Map.of()));
    }

    @Override
    public List<FaultSession> sessions(String namespace) {
        return sessions.stream().filter(s -> namespace.equals(s.getMetadata().getNamespace())).toList();
    }

    @Override
    public Map<String, QoSProfile> profiles(String namespace) {
        return Map.of();
    }

    @Override
    public synchronized void ensureTokenSecret(String namespace) {
        tokenSecretsEnsured.add(namespace);
    }
}
