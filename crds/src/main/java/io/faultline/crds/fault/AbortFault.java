package io.faultline.crds.fault;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** HTTP: answers the request itself with an error status. Schema only: forwarded to the sidecar as abort {status, body, headers}; the sidecar implements HTTP kinds later. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class AbortFault {
    @Required
    @Min(100)
    @Max(599)
    @JsonPropertyDescription("HTTP status of the synthetic response, e.g. 503.")
    public Integer httpStatus;

    @JsonPropertyDescription("Body of the synthetic response.")
    public String body;

    @JsonPropertyDescription("Headers of the synthetic response.")
    public Map<String, String> headers;
}
