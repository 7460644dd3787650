package io.faultline.sidecar.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A complete admin API answer. JSON errors always have the Toxiproxy shape {"error": "...", "status": N}. */
public record AdminResponse(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {
    static final ObjectMapper JSON = new ObjectMapper();

    public static AdminResponse json(HttpResponseStatus status, JsonNode body) {
        try {
            return new AdminResponse(status, "application/json", JSON.writeValueAsBytes(body), Map.of());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static AdminResponse ok(JsonNode body) {
        return json(HttpResponseStatus.OK, body);
    }

    public static AdminResponse text(HttpResponseStatus status, String contentType, String body) {
        return new AdminResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static AdminResponse empty(HttpResponseStatus status) {
        return new AdminResponse(status, null, new byte[0], Map.of());
    }

    public static AdminResponse error(HttpResponseStatus status, String message) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("error", message);
        n.put("status", status.code());
        return json(status, n);
    }

    /** 400 naming the field, e.g. {"error":"rules[0].latency.fixed: ...","field":"rules[0].latency.fixed","status":400}. */
    public static AdminResponse badConfig(ConfigException e) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("error", e.getMessage());
        n.put("field", e.field());
        n.put("status", 400);
        return json(HttpResponseStatus.BAD_REQUEST, n);
    }

    public AdminResponse withHeader(String name, String value) {
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new AdminResponse(status, contentType, body, h);
    }
}
