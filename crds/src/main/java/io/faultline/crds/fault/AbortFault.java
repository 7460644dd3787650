package io.faultline.crds.fault;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * HTTP: answers the request itself, without the upstream. The sidecar's abort {status, body, headers, grpcStatus,
 * grpcMessage}; the CRD says httpStatus (clearer next to grpcStatus), the compiler renames it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "!has(self.grpcMessage) || has(self.grpcStatus)", message = "grpcMessage needs grpcStatus")
public class AbortFault {
    @Min(200)
    @Max(599)
    @JsonPropertyDescription("HTTP status of the synthetic response, 200-599. Default 503, or 200 with grpcStatus.")
    public Integer httpStatus;

    @JsonPropertyDescription("Body of the synthetic response. Default empty.")
    public String body;

    @JsonPropertyDescription("Headers of the synthetic response.")
    public Map<String, String> headers;

    @Min(0)
    @Max(16)
    @JsonPropertyDescription("gRPC status code 0-16: the answer becomes a gRPC error (content-type application/grpc, grpc-status header).")
    public Integer grpcStatus;

    @JsonPropertyDescription("gRPC message (grpc-message header); needs grpcStatus.")
    public String grpcMessage;
}
