package io.faultline.operator.reconciler;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.faultline.crds.FaultSession;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.operator.compiler.SessionValidator;

/**
 * The last valid spec of a session (with the QoS profile it resolved to), kept on the session itself in the annotation
 * {@code faultline.io/last-valid-spec}, written by the operator. When the spec becomes invalid the sidecars keep what
 * they had; the annotation makes that survive an operator restart (the in-memory copy does not). An annotation that
 * does not parse, or holds a spec that is not valid either (edited by hand), is ignored.
 */
final class LastValidSpec {
    static final String ANNOTATION = "faultline.io/last-valid-spec";
    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** What is stored: the spec and the profile's spec at the time (null without a profile). */
    record Snapshot(FaultSessionSpec spec, QoSProfileSpec qos) {
    }

    private LastValidSpec() {
    }

    static String render(FaultSessionSpec spec, QoSProfileSpec qos) {
        try {
            return JSON.writeValueAsString(new Snapshot(spec, qos));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a session spec", e);
        }
    }

    /**
     * Records {@code spec} on the session: a JSON merge patch of this one annotation, so that nothing else of the
     * session is sent back (the same with or without server-side apply, on any API server).
     */
    static void write(KubernetesClient client, FaultSession session, String spec) {
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("metadata").putObject("annotations").put(ANNOTATION, spec);
        client.resources(FaultSession.class).inNamespace(session.getMetadata().getNamespace())
                .withName(session.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    static Optional<Snapshot> read(FaultSession session) {
        Map<String, String> annotations = session.getMetadata().getAnnotations();
        String stored = annotations == null ? null : annotations.get(ANNOTATION);
        if (stored == null) {
            return Optional.empty();
        }
        try {
            Snapshot snapshot = JSON.readValue(stored, Snapshot.class);
            return snapshot.spec() != null && SessionValidator.validate(snapshot.spec()).isEmpty() ? Optional.of(snapshot)
                    : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** The annotation value to write when the session is valid now and the stored one differs, else empty. */
    static Optional<String> toRecord(FaultSession session, SessionResolution resolution) {
        if (!resolution.valid() || resolution.effective() == null) {
            return Optional.empty();
        }
        String current = render(resolution.effective().spec(), resolution.effective().qos());
        Map<String, String> annotations = session.getMetadata().getAnnotations();
        return Objects.equals(current, annotations == null ? null : annotations.get(ANNOTATION)) ? Optional.empty()
                : Optional.of(current);
    }
}
