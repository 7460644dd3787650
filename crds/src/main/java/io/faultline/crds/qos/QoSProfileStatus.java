package io.faultline.crds.qos;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.faultline.crds.common.Condition;

/** Observed state of a QoSProfile, written by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class QoSProfileStatus {
    @JsonPropertyDescription("metadata.generation this status was computed from.")
    public Long observedGeneration;

    @JsonPropertyDescription("Ready: True when the profile is valid and can be applied.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Number of FaultSessions in the namespace that refer to this profile.")
    public Integer sessions;
}
