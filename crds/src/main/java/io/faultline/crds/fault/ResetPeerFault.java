package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.faultline.crds.common.Formats;

/** TCP: resets the connection (RST). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ResetPeerFault {
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Delay before the reset. Default 0.")
    public String after;
}
