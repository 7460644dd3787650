package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.faultline.crds.common.Formats;

/** TCP: cuts data into small chunks, optionally delayed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class SlicerFault {
    @Required
    @Pattern(Formats.SIZE)
    @JsonPropertyDescription("Average chunk size, e.g. 64 or 1KiB.")
    public String averageSize;

    @Pattern(Formats.SIZE)
    @JsonPropertyDescription("Random variation of the chunk size. Default 0.")
    public String sizeVariation;

    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Delay between chunks. Default 0.")
    public String delay;
}
