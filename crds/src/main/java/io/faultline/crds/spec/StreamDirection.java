package io.faultline.crds.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which half of a connection a fault acts on. */
public enum StreamDirection {
    @JsonProperty("upstream") UPSTREAM("upstream"),
    @JsonProperty("downstream") DOWNSTREAM("downstream"),
    @JsonProperty("both") BOTH("both");

    private final String wireName;

    StreamDirection(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
