package io.faultline.crds.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The state of one selected pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodStatus {
    @JsonPropertyDescription("Name of the pod.")
    public String name;

    @JsonPropertyDescription("Configured, AwaitingInjection, Starting (no IP or sidecar not running yet) or Unreachable.")
    public PodState state;

    @JsonPropertyDescription("Config version the pod's sidecar reports.")
    public String configVersion;

    @JsonPropertyDescription("Why the pod is not configured, when it is not.")
    public String message;

    public PodStatus() {
    }

    public PodStatus(String name, PodState state, String configVersion, String message) {
        this.name = name;
        this.state = state;
        this.configVersion = configVersion;
        this.message = message;
    }
}
