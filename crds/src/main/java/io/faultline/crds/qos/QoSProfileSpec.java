package io.faultline.crds.qos;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Link conditions that sessions referring to the profile apply to each of their targets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.latency) || has(self.bandwidth) || has(self.loss) || has(self.connectionLimit)",
        message = "a QoSProfile must set at least one of latency, bandwidth, loss or connectionLimit")
public class QoSProfileSpec {
    @JsonPropertyDescription("Added latency (downstream). On http targets each request waits once.")
    public QosLatency latency;

    @JsonPropertyDescription("Throughput caps per direction. On http targets they also pace each request body (upstream) "
            + "and response body (downstream).")
    public QosBandwidth bandwidth;

    @JsonPropertyDescription("Packet loss as stalls (downstream). Not applied to HTTP requests on http targets (only to "
            + "upgraded connections); the session's condition QoSProfileApplied says so.")
    public QosLoss loss;

    @Min(1)
    @JsonPropertyDescription("Maximum concurrent connections per target listener; beyond it new connections are closed.")
    public Integer connectionLimit;
}
