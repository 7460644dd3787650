package io.faultline.crds.qos;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.faultline.crds.common.Distribution;
import io.faultline.crds.common.Formats;

/** One-way latency of the link, applied to the responses (downstream) of every target. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class QosLatency {
    @Required
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Mean added delay, e.g. 150ms.")
    public String mean;

    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Spread around the mean, e.g. 40ms; must not exceed mean. Default 0.")
    public String jitter;

    @JsonPropertyDescription("Shape of the jitter: uniform (default), normal, pareto or paretoNormal.")
    public Distribution distribution;
}
