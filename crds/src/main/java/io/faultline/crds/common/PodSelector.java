package io.faultline.crds.common;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** A standard Kubernetes label selector (metav1.LabelSelector). An empty selector selects every pod. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PodSelector {
    @JsonPropertyDescription("Labels a pod must carry, all of them, with these exact values.")
    public Map<String, String> matchLabels;

    @Size(max = 16)
    @JsonPropertyDescription("Set-based requirements, all of which must hold.")
    public List<LabelRequirement> matchExpressions;

    public PodSelector() {
    }

    public PodSelector(Map<String, String> matchLabels) {
        this.matchLabels = matchLabels;
    }
}
