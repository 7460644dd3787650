package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.faultline.crds.common.Distribution;
import io.faultline.crds.common.Formats;

/** TCP/HTTP: delays data (tcp: every chunk; http: the request or response). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class LatencyFault {
    @Required
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Base delay, e.g. 200ms.")
    public String fixed;

    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Random spread around the base delay, e.g. 50ms. Default 0.")
    public String jitter;

    @JsonPropertyDescription("Shape of the jitter: uniform (default), normal, pareto or paretoNormal.")
    public Distribution distribution;

    @JsonPropertyDescription("HTTP targets only: delay the request before it is forwarded, or the response before its first byte."
            + " Default request.")
    public HttpPhase phase;

    /** When an HTTP delay acts. */
    public enum HttpPhase {
        request, response
    }
}
