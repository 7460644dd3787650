package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultSpec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.Set;

/**
 * abort: answers the request here with {@code status} (default 503), {@code body} and {@code headers},
 * without contacting the upstream. With {@code grpcStatus} (0-16) the answer is a gRPC error:
 * HTTP 200 unless status is given, {@code content-type: application/grpc}, {@code grpc-status} and
 * {@code grpc-message} headers (trailers-only form).
 */
public record AbortFault(int status, String body, Map<String, String> headers, Integer grpcStatus,
                         String grpcMessage) implements HttpFault {

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "abort";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("status", "body", "headers", "grpcStatus", "grpcMessage"));
            Integer grpc = node.has("grpcStatus") ? (int) node.integer("grpcStatus", 0, 0, 16) : null;
            if (grpc == null && node.has("grpcMessage")) {
                throw node.error("grpcMessage", "needs grpcStatus (0-16)");
            }
            int status = (int) node.integer("status", grpc != null ? 200 : 503, 200, 599);
            return new AbortFault(status, node.string("body", ""), HeaderValues.parse(node, "headers"),
                    grpc, node.string("grpcMessage", null));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("status", status)
                .put("body", body);
        n.set("headers", HeaderValues.toJson(headers));
        if (grpcStatus != null) {
            n.put("grpcStatus", grpcStatus);
            if (grpcMessage != null) {
                n.put("grpcMessage", grpcMessage);
            }
        }
        return n;
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        HttpHeaders h = HeaderValues.toHeaders(headers);
        if (grpcStatus != null) {
            h.set("content-type", "application/grpc");
            h.set("grpc-status", String.valueOf(grpcStatus));
            if (grpcMessage != null) {
                h.set("grpc-message", grpcMessage);
            }
        }
        exchange.injected();
        exchange.respond(HttpResponseStatus.valueOf(status), h, body);
    }
}
