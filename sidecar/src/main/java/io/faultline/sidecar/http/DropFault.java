package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultSpec;
import java.util.Set;

/** drop: closes the client connection without answering (a FIN); the request never reaches the upstream. */
public record DropFault() implements HttpFault {
    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "drop";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of());
            return new DropFault();
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode();
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        exchange.injected();
        exchange.drop();
    }
}
