package io.faultline.sidecar.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.HostPort;
import io.faultline.sidecar.config.Upstream;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Supplier;

/**
 * Reads Toxiproxy request bodies the way Toxiproxy does: JSON, unknown fields ignored (clients send
 * back whole objects, e.g. a proxy with its toxics), errors as 400 "bad request body: ..." naming the field.
 */
final class ToxiproxyBody {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where a proxy listens when the client gives no address: loopback, never all interfaces by surprise. */
    static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 0);

    private ToxiproxyBody() {
    }

    static ApiException badBody(String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, "bad request body: " + message);
    }

    static ApiException missingField(String field) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, "missing required field: " + field);
    }

    static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw badBody("empty body; expected JSON");
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw badBody("invalid JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        }
    }

    static ConfigNode object(String body) {
        return object(parse(body), "");
    }

    static ConfigNode object(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw badBody((path.isEmpty() ? "" : path + ": ") + "expected a JSON object");
        }
        return new ConfigNode(node, path);
    }

    /** Runs a field reader, turning its ConfigException (which names the field) into Toxiproxy's 400. */
    static <T> T read(Supplier<T> reader) {
        try {
            return reader.get();
        } catch (ConfigException e) {
            throw badBody(e.getMessage());
        }
    }

    /** Go's net.Listen takes ":8666" for every interface; the config grammar needs a host. */
    static HostPort listen(ConfigNode node, String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_LISTEN;
        }
        String withHost = text.startsWith(":") ? "0.0.0.0" + text : text;
        try {
            return HostPort.parse(withHost);
        } catch (IllegalArgumentException e) {
            throw badBody(node.pathOf("listen") + ": " + e.getMessage());
        }
    }

    static Upstream upstream(ConfigNode node, String text) {
        try {
            return Upstream.parse(text);
        } catch (IllegalArgumentException e) {
            throw badBody(node.pathOf("upstream") + ": " + e.getMessage());
        }
    }
}
