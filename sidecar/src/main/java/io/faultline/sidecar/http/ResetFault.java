package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.fault.FaultKind;

/** reset: resets the client connection (TCP RST, SO_LINGER 0) instead of answering; nothing reaches the upstream. */
public record ResetFault() implements HttpFault {
    public static final FaultKind KIND = FaultKind.withoutFields("reset", new ResetFault());

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
        exchange.reset();
    }
}
