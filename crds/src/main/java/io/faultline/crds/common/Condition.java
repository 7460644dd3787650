package io.faultline.crds.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A status condition in the shape of Kubernetes' metav1.Condition. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
    @Required
    @JsonPropertyDescription("Type of condition in CamelCase, e.g. Ready, Configured.")
    public String type;

    @Required
    @JsonPropertyDescription("Status of the condition: True, False or Unknown.")
    public String status;

    @JsonPropertyDescription("metadata.generation of the resource this condition was computed from.")
    public Long observedGeneration;

    @Required
    @JsonPropertyDescription("Last time the status changed (RFC 3339); unchanged while the status stays the same.")
    public String lastTransitionTime;

    @Required
    @JsonPropertyDescription("Machine-readable CamelCase reason for the last transition.")
    public String reason;

    @JsonPropertyDescription("Human-readable details about the condition.")
    public String message;

    public Condition() {
    }

    public Condition(String type, String status, String reason, String message, Long observedGeneration,
            String lastTransitionTime) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
        this.observedGeneration = observedGeneration;
        this.lastTransitionTime = lastTransitionTime;
    }
}
