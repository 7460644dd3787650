package io.faultline.crds.status;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.faultline.crds.common.Condition;

/** Observed state of a FaultSession, written by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FaultSessionStatus {
    /** At most this many pods are listed in {@link #pods}; the counts cover every pod. */
    public static final int MAX_LISTED_PODS = 20;

    @JsonPropertyDescription("Pending, Active, Paused, Expired or Failed.")
    public SessionPhase phase;

    @JsonPropertyDescription("metadata.generation this status was computed from.")
    public Long observedGeneration;

    @JsonPropertyDescription("Ready (the desired faults are in force on every selected, injected pod), Configured and Scheduled.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("When the session became (or becomes) active, RFC 3339.")
    public String startedAt;

    @JsonPropertyDescription("When the session expires, RFC 3339; absent without a duration.")
    public String expiresAt;

    @JsonPropertyDescription("Pods chosen by selector and sampling.")
    public Integer selectedPods;

    @JsonPropertyDescription("Chosen pods that run the Faultline sidecar.")
    public Integer injectedPods;

    @JsonPropertyDescription("Chosen pods whose sidecar reports the desired config version.")
    public Integer configuredPods;

    @JsonPropertyDescription("Per-pod states, pods that need attention first; at most 20 entries.")
    public List<PodStatus> pods = new ArrayList<>();
}
