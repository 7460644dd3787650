package io.faultline.crds.fault;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.faultline.crds.common.Formats;

/**
 * HTTP: HeliosBurn's server-overload model. The request rate the fault sees over the window gives a load 0-100
 * (exponential: 100 x (2^(rate/capacity) - 1); plateau: 100 x rate/capacity; capped at 100); the first trigger whose
 * load range holds acts on a percentage of requests with a delay or an error status.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ServerOverloadFault {
    @Required
    @Min(0.001)
    @Max(1e9)
    @JsonPropertyDescription("Request rate (per second) at which the load reaches 100.")
    public Double capacity;

    @JsonPropertyDescription("How the load grows with the request rate: exponential (default) or plateau (linear, capped).")
    public LoadFunction function;

    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Window over which the request rate is measured, at least 10ms. Default 1s.")
    public String window;

    @Required
    @Size(min = 1, max = 16)
    @JsonPropertyDescription("Load ranges and what happens in them; the first range holding the load acts.")
    public List<OverloadTrigger> triggers;

    /** Shape of load against request rate. */
    public enum LoadFunction {
        exponential, plateau
    }
}
