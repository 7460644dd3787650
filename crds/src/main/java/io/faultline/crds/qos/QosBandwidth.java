package io.faultline.crds.qos;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.faultline.crds.common.Formats;

/** Throughput of the link per direction. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.upstream) || has(self.downstream)", message = "set upstream, downstream or both")
public class QosBandwidth {
    @Pattern(Formats.RATE)
    @JsonPropertyDescription("Client to server rate, e.g. 384Kbps or 48KiB. Unset: unlimited.")
    public String upstream;

    @Pattern(Formats.RATE)
    @JsonPropertyDescription("Server to client rate, e.g. 2Mbps. Unset: unlimited.")
    public String downstream;
}
