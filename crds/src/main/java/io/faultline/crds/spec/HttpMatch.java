package io.faultline.crds.spec;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** Which HTTP requests a fault applies to; every field that is set must match. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class HttpMatch {
    @Size(max = 16)
    @JsonPropertyDescription("HTTP methods, e.g. [GET, POST]. Default: any method.")
    public List<String> methods;

    @JsonPropertyDescription("Path glob: * matches within a segment, ** across segments, e.g. /search/**.")
    public String path;

    @JsonPropertyDescription("Request headers that must be present with these exact values.")
    public Map<String, String> headers;

    @JsonPropertyDescription("Host (authority) of the request, without port.")
    public String host;
}
