package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.faultline.crds.common.Formats;

/**
 * HTTP: a token bucket shared by every connection of the fault; a request without a token is answered 429 with
 * RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset and Retry-After.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class RateLimitFault {
    @Required
    @Min(1)
    @Max(1000000000)
    @JsonPropertyDescription("Requests let through per period (the refill rate).")
    public Long requests;

    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Length of the period, at least 1ms. Default 1s.")
    public String period;

    @Min(1)
    @Max(1000000000)
    @JsonPropertyDescription("Bucket size: requests that may pass at once. Default: requests.")
    public Long burst;
}
