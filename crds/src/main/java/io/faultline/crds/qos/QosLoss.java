package io.faultline.crds.qos;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.faultline.crds.common.Formats;

/** Packet loss, modelled by the sidecar as retransmission-like stalls (bytes are never dropped). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class QosLoss {
    @Required
    @Min(0)
    @Max(1)
    @JsonPropertyDescription("Probability, 0..1, that a chunk is stalled, e.g. 0.02.")
    public Double probability;

    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Length of one stall (the retransmission timeout). Default 200ms.")
    public String stall;
}
