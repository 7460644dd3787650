package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.fault.FaultKind;

/** drop: closes the client connection without answering (a FIN); the request never reaches the upstream. */
public record DropFault() implements HttpFault {
    public static final FaultKind KIND = FaultKind.withoutFields("drop", new DropFault());

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
