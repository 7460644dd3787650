package io.faultline.crds.fault;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** Header edits of one message, applied in the order remove, set, add. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class HeaderEdit {
    @JsonPropertyDescription("Headers to set, replacing any existing values.")
    public Map<String, String> set;

    @JsonPropertyDescription("Headers to add, keeping existing values.")
    public Map<String, String> add;

    @Size(max = 64)
    @JsonPropertyDescription("Names of headers to remove.")
    public List<String> remove;
}
