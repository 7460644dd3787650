package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultSpec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * body: rewrites the upstream's response body. {@code replace}: the body becomes this text
 * ({@code contentType} sets its type); {@code jsonPatch}: an RFC 7396 JSON merge patch applied to a
 * JSON body ({@code application/json} or {@code +json}); other bodies pass unchanged. Content-Length
 * is set to the new length. This is the one fault for which the proxy holds a whole body: at most
 * {@value HttpProxyConnection#MAX_BODY_FOR_FAULTS} bytes; a larger (or content-encoded) body passes
 * through unchanged, streamed.
 */
public record BodyFault(String replace, String contentType, JsonNode jsonPatch) implements HttpFault {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "body";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("replace", "contentType", "jsonPatch"));
            if (node.has("replace") == node.has("jsonPatch")) {
                throw node.error(null, "give exactly one of replace (the new body text) or jsonPatch (an RFC 7396 merge patch)");
            }
            if (node.has("contentType") && !node.has("replace")) {
                throw node.error("contentType", "goes with replace only");
            }
            String contentType = node.string("contentType", null);
            if (contentType != null && (contentType.indexOf('\r') >= 0 || contentType.indexOf('\n') >= 0)) {
                throw node.error("contentType", "must not contain CR or LF");
            }
            return new BodyFault(node.string("replace", null), contentType,
                    node.has("jsonPatch") ? node.json().get("jsonPatch").deepCopy() : null);
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        if (replace != null) {
            n.put("replace", replace);
            if (contentType != null) {
                n.put("contentType", contentType);
            }
        } else {
            n.set("jsonPatch", jsonPatch);
        }
        return n;
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        exchange.injected();
        exchange.transformResponseBody(this::transform);
    }

    /** The new body, or null to leave it as it is. */
    byte[] transform(HttpResponse head, byte[] body) {
        if (replace != null) {
            if (contentType != null) {
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            }
            return replace.getBytes(StandardCharsets.UTF_8);
        }
        String type = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        String mime = type.split(";")[0].trim();
        if (!mime.equals("application/json") && !mime.endsWith("+json")) {
            return null;
        }
        try {
            JsonNode target = body.length == 0 ? null : JSON.readTree(body);
            return JSON.writeValueAsBytes(mergePatch(target, jsonPatch));
        } catch (java.io.IOException notJson) {
            return null; // a body that claims JSON but is not: leave it as the upstream sent it
        }
    }

    /** RFC 7396 section 2. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }
}
