package io.faultline.crds.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.faultline.crds.common.Formats;

/** When the session is active. Without a schedule it is active from creation until deleted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Schedule {
    @Pattern(Formats.TIMESTAMP)
    @JsonPropertyDescription("RFC 3339 instant the faults start, e.g. 2026-11-23T10:00:00Z. Default: when the operator first sees the session.")
    public String startAt;

    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("How long the faults stay, e.g. 15m or 1h30m. Default: until the session is deleted. Enforced twice: by the operator and by the sidecars' expiresAt.")
    public String duration;

    public Schedule() {
    }

    public Schedule(String startAt, String duration) {
        this.startAt = startAt;
        this.duration = duration;
    }
}
