package io.faultline.crds.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.faultline.crds.common.Formats;

/**
 * Traffic the session acts on. Inbound: {@code port} (the application's port in the pod), the sidecar listens on
 * {@code listenPort}. Outbound: {@code mapping} in the proxy mapping grammar, e.g. {@code 15001=http://payments:80}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.port) != has(self.mapping)",
        message = "set exactly one of port (inbound target) or mapping (outbound target)")
@ValidationRule(value = "!has(self.mapping) || (!has(self.listenPort) && !has(self.protocol))",
        message = "an outbound target takes its listen port and protocol from mapping; do not set listenPort or protocol")
public class Target {
    @Required
    @Pattern(Formats.DNS_LABEL)
    @Size(max = 63)
    @JsonPropertyDescription("Name of the target, unique in the session; faults refer to it in their targets list.")
    public String name;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Inbound: the application's port in the pod; the sidecar forwards to 127.0.0.1:<port>.")
    public Integer port;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Inbound: the port the sidecar listens on (all interfaces). Default: port + 10000, or port - 10000 when that exceeds 65535.")
    public Integer listenPort;

    @JsonPropertyDescription("Inbound: tcp (default) or http. HTTP faults need http.")
    public TargetProtocol protocol;

    @Pattern(Formats.MAPPING)
    @JsonPropertyDescription("Outbound: LISTEN_PORT=[tcp|http|tls://]HOST:PORT. The application sends to 127.0.0.1:LISTEN_PORT; the sidecar forwards to HOST:PORT (http:// makes it HTTP-aware, tls:// originates TLS).")
    public String mapping;

    /** True for an outbound target (declared with a mapping). */
    public boolean outbound() {
        return mapping != null;
    }
}
