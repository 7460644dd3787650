package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.faultline.crds.common.Formats;

/** TCP: caps the throughput of the stream. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class BandwidthFault {
    @Required
    @Pattern(Formats.RATE)
    @JsonPropertyDescription("Bytes per second as a size (256KiB, 1MB) or bits per second (2Mbps, 384Kbps). 0 stalls the stream until the fault is removed.")
    public String rate;
}
