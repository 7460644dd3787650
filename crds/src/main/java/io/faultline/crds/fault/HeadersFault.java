package io.faultline.crds.fault;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** HTTP: sets or removes headers. Schema only: forwarded to the sidecar as-is; the sidecar implements HTTP kinds later. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class HeadersFault {
    @JsonPropertyDescription("Message whose headers change: request (default) or response.")
    public HeaderTarget on;

    @JsonPropertyDescription("Headers to set (replacing existing values).")
    public Map<String, String> set;

    @JsonPropertyDescription("Names of headers to remove.")
    public List<String> remove;

    public enum HeaderTarget {
        request, response
    }
}
