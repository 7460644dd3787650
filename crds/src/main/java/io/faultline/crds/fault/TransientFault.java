package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** HTTP: Vaurien's transient error: the first N requests the fault selects fail, every later one goes through. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TransientFault {
    @Required
    @Min(1)
    @JsonPropertyDescription("Number of requests that fail first.")
    public Long failures;

    @Min(400)
    @Max(599)
    @JsonPropertyDescription("Status of the failed requests, 400-599. Default 503.")
    public Integer status;

    @JsonPropertyDescription("Where failures are counted: connection (each client connection afresh, default) or global.")
    public Scope scope;

    /** Where the failures are counted. */
    public enum Scope {
        connection, global
    }
}
