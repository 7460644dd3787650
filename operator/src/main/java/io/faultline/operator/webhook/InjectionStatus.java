package io.faultline.operator.webhook;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.crds.spec.Target;

/**
 * What the webhook injected into a pod, kept as JSON in the annotation {@code faultline.io/status}. It also tells the
 * operator which listeners the pod's sidecar must always keep ({@link #baselineTargets(Pod)}), since the services of
 * the pod flow through them even when no session targets them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InjectionStatus(
        @JsonProperty("interception") String interception,
        @JsonProperty("nativeSidecar") boolean nativeSidecar,
        @JsonProperty("image") String image,
        @JsonProperty("adminPort") int adminPort,
        @JsonProperty("inbound") List<InboundPort> inbound,
        @JsonProperty("outbound") List<OutboundListener> outbound,
        @JsonProperty("initialConfigVersion") String initialConfigVersion,
        @JsonProperty("sessions") List<String> sessions) {

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static InjectionStatus parse(String json) {
        try {
            return JSON.readValue(json, InjectionStatus.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("annotation " + InjectionAnnotations.STATUS + " is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** The sessions whose rules the pod's initial config (compiled at admission) carries; empty when unknown. */
    public static List<String> initialSessions(Pod pod) {
        String json = PodParts.annotations(pod).get(InjectionAnnotations.STATUS);
        if (json == null) {
            return List.of();
        }
        try {
            List<String> sessions = parse(json).sessions();
            return sessions == null ? List.of() : sessions;
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /**
     * The pass-through listeners the pod's injection set up (none for a pod not injected by this webhook, or with a
     * status annotation that does not parse: such a pod keeps only what sessions give it).
     */
    public static List<Target> baselineTargets(Pod pod) {
        String json = PodParts.annotations(pod).get(InjectionAnnotations.STATUS);
        if (json == null) {
            return List.of();
        }
        try {
            InjectionStatus status = parse(json);
            List<Target> targets = new ArrayList<>();
            if (status.inbound() != null) {
                status.inbound().forEach(port -> targets.add(port.toTarget()));
            }
            if (status.outbound() != null) {
                status.outbound().forEach(listener -> targets.add(listener.toTarget()));
            }
            return targets;
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }
}
