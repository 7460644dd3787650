package io.faultline.crds.common;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Shape of the jitter around a latency, as the sidecar implements it. */
public enum Distribution {
    @JsonProperty("uniform") UNIFORM("uniform"),
    @JsonProperty("normal") NORMAL("normal"),
    @JsonProperty("pareto") PARETO("pareto"),
    @JsonProperty("paretoNormal") PARETO_NORMAL("paretoNormal");

    private final String wireName;

    Distribution(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in YAML/JSON (CRD and ProxyConfig). */
    public String wireName() {
        return wireName;
    }
}
