package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * HTTP: rewrites the upstream's response body (held by the sidecar up to a bound; larger bodies pass unchanged).
 * Content-Length is fixed up.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "[has(self.replace), has(self.jsonPatch)].filter(k, k).size() == 1",
        message = "give exactly one of replace (the new body text) or jsonPatch (an RFC 7396 merge patch)")
@ValidationRule(value = "!has(self.contentType) || has(self.replace)", message = "contentType goes with replace only")
public class BodyFault {
    @JsonPropertyDescription("The new body text.")
    public String replace;

    @JsonPropertyDescription("Content-Type of the replaced body, e.g. application/json. Only with replace.")
    public String contentType;

    @PreserveUnknownFields
    @JsonPropertyDescription("An RFC 7396 JSON merge patch applied to a JSON response body (application/json or +json); other bodies pass unchanged.")
    public ObjectNode jsonPatch;
}
