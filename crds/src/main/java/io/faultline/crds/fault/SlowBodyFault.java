package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.faultline.crds.common.Formats;

/**
 * HTTP: paces the response body (stream downstream, the default), the request body (upstream) or both to a rate; heads
 * are not delayed. Streamed in slices, never held whole; removing the fault lets the rest through at full speed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class SlowBodyFault {
    @Required
    @Pattern(Formats.RATE)
    @JsonPropertyDescription("Bytes per second as a size (2KB, 256KiB) or bits per second (2Mbps). 0 stalls the body until the fault is removed.")
    public String rate;
}
