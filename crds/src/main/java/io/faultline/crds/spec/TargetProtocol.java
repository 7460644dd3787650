package io.faultline.crds.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the sidecar treats the traffic of a target. */
public enum TargetProtocol {
    @JsonProperty("tcp") TCP("tcp"),
    @JsonProperty("http") HTTP("http");

    private final String wireName;

    TargetProtocol(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
