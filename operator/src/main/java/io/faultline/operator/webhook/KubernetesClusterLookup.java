package io.faultline.operator.webhook;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;

/** Admission's view of the cluster, read from the API server at admission time (only for pods that get a sidecar). */
@ApplicationScoped
public class KubernetesClusterLookup implements ClusterLookup {
    private final KubernetesClient client;
    private final TokenSecrets tokens;

    public KubernetesClusterLookup(KubernetesClient client, TokenSecrets tokens) {
        this.client = client;
        this.tokens = tokens;
    }

    @Override
    public NamespaceInfo namespace(String name) {
        Namespace namespace = client.namespaces().withName(name).get();
        if (namespace == null || namespace.getMetadata() == null) {
            return new NamespaceInfo(Map.of(), Map.of());
        }
        return new NamespaceInfo(orEmpty(namespace.getMetadata().getLabels()), orEmpty(namespace.getMetadata().getAnnotations()));
    }

    @Override
    public List<FaultSession> sessions(String namespace) {
        return client.resources(FaultSession.class).inNamespace(namespace).list().getItems();
    }

    @Override
    public Map<String, QoSProfile> profiles(String namespace) {
        return client.resources(QoSProfile.class).inNamespace(namespace).list().getItems().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity()));
    }

    @Override
    public void ensureTokenSecret(String namespace) {
        tokens.ensure(namespace);
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
