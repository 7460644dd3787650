package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * HTTP: HeliosBurn's header rules, on the request the upstream receives and/or the response the client receives.
 * Framing and hop-by-hop headers (content-length, transfer-encoding, connection, keep-alive, upgrade, te, host) cannot
 * be edited.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "has(self.request) || has(self.response)", message = "give request and/or response edits")
public class HeadersFault {
    @JsonPropertyDescription("Edits of the request headers, before the request is forwarded.")
    public HeaderEdit request;

    @JsonPropertyDescription("Edits of the response headers, before the response reaches the client.")
    public HeaderEdit response;
}
