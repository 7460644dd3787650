package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.faultline.crds.common.Formats;

/**
 * HTTP: tagged test traffic carries its own faults. A request with the shared secret in x-faultline-secret may ask for
 * x-faultline-delay: 200ms and/or x-faultline-abort: 503; every x-faultline-* header is removed before forwarding. Only
 * the secret's hash is configured, so neither the resource nor the sidecar shows the secret.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class RequestControlledFault {
    @Required
    @Pattern("^[0-9a-fA-F]{64}$")
    @JsonPropertyDescription("SHA-256 of the shared secret, 64 hex digits (printf %s \"$SECRET\" | sha256sum).")
    public String secretSha256;

    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Longest delay a request may ask for. Default 30s.")
    public String maxDelay;
}
