package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Sizes;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultSpec;
import java.util.Set;

/**
 * slowBody: the body of a selected request's response ({@code stream: downstream}, the default),
 * of the request itself ({@code upstream}) or both is paced to {@code rate} (the bandwidth fault's
 * grammar: {@code 2KB}, {@code 256KiB}, {@code 2Mbps}; 0 stalls the body until the rule goes). Heads
 * are not delayed. The body is streamed in slices, never held whole; when the rule is removed or
 * changed mid-body the rest goes at full speed. With several slowBody rules on a request, the first
 * one paces.
 */
public record SlowBodyFault(long bytesPerSecond) implements HttpFault {

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "slowBody";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("rate"));
            return new SlowBodyFault(node.rate("rate", null));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("rate", Sizes.formatSize(bytesPerSecond));
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        exchange.injected();
        exchange.paceBody(bytesPerSecond);
    }
}
