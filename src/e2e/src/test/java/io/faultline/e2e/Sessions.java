package io.faultline.e2e;

import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Reading FaultSessions and their Events as a user would (kubectl get -o json, kubectl get events). */
final class Sessions {
    static final String API_VERSION = "faultline.io/v1alpha1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Sessions() {
    }

    /**
     * Applies (as a user, server-side) the session {@code errors}: every request of the pods labelled {@code app=<app>}
     * to {@code port} answered with {@code status}.
     */
    static void applyErrors(Cluster cluster, String namespace, String app, int port, int status) {
        cluster.apply("""
                apiVersion: faultline.io/v1alpha1
                kind: FaultSession
                metadata: {name: errors, namespace: %s}
                spec:
                  selector: {matchLabels: {app: %s}}
                  targets: [{name: http, port: %d, protocol: http}]
                  faults:
                    - name: unavailable
                      abort: {httpStatus: %d}
                """.formatted(namespace, app, port, status));
    }

    /** The session as JSON, or a missing node when it does not exist. */
    static JsonNode get(KubernetesClient client, String namespace, String name) {
        GenericKubernetesResource resource = client.genericKubernetesResources(API_VERSION, "FaultSession").inNamespace(namespace)
                .withName(name).get();
        return resource == null ? JSON.missingNode() : JSON.valueToTree(resource);
    }

    static boolean exists(KubernetesClient client, String namespace, String name) {
        return !get(client, namespace, name).isMissingNode();
    }

    static String phase(JsonNode session) {
        return session.path("status").path("phase").asText("");
    }

    static Optional<JsonNode> condition(JsonNode session, String type) {
        return StreamSupport.stream(session.path("status").path("conditions").spliterator(), false)
                .filter(c -> type.equals(c.path("type").asText())).findFirst();
    }

    static boolean conditionIs(JsonNode session, String type, String status, String reason) {
        return condition(session, type).filter(c -> status.equals(c.path("status").asText())
                && (reason == null || reason.equals(c.path("reason").asText()))).isPresent();
    }

    /** Phase and Ready for the session's current generation. */
    static boolean settled(JsonNode session, String phase, String readyStatus, String readyReason) {
        long generation = session.path("metadata").path("generation").asLong();
        return session.path("status").path("observedGeneration").asLong() == generation && phase.equals(phase(session))
                && conditionIs(session, "Ready", readyStatus, readyReason);
    }

    static String describe(JsonNode session) {
        return session.isMissingNode() ? "(no such session)" : session.path("metadata").path("generation") + " "
                + session.path("status").toString();
    }

    /** The Events whose involved object is this session, oldest first. */
    static List<Event> events(KubernetesClient client, String namespace, String name) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> "FaultSession".equals(e.getInvolvedObject().getKind()) && name.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    static List<String> reasons(KubernetesClient client, String namespace, String name) {
        return events(client, namespace, name).stream().map(Event::getReason).toList();
    }
}
