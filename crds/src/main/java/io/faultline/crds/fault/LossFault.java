package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.faultline.crds.common.Formats;

/** TCP: packet loss modelled as retransmission-like stalls; bytes are never dropped. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class LossFault {
    @Required
    @Min(0)
    @Max(1)
    @JsonPropertyDescription("Probability, 0..1, that a chunk is stalled.")
    public Double probability;

    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Length of one stall. Default 200ms.")
    public String stall;
}
