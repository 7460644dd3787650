package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.faultline.crds.common.Formats;

/** One load range of a serverOverload fault: a delay or an error status for a percentage of the requests. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "[has(self.delay), has(self.status)].filter(k, k).size() == 1",
        message = "give exactly one of delay (a duration) or status (an HTTP status)")
public class OverloadTrigger {
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Lower end of the load range (inclusive), 0-100. Default 0.")
    public Double fromLoad;

    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Upper end of the load range (exclusive; 100 includes 100), greater than fromLoad. Default 100.")
    public Double toLoad;

    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Delay the request this long before it is forwarded.")
    public String delay;

    @Min(400)
    @Max(599)
    @JsonPropertyDescription("Answer the request with this status, e.g. 503.")
    public Integer status;

    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Percentage of the requests in this range that are affected, 0-100. Default 100.")
    public Double percentage;
}
