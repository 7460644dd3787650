package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads {@code {name: value}} header maps from config, checking names and values as HTTP requires. */
final class HeaderValues {
    private HeaderValues() {
    }

    static Map<String, String> parse(ConfigNode node, String field) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!node.has(field)) {
            return out;
        }
        ConfigNode obj = node.object(field);
        Iterator<Map.Entry<String, JsonNode>> it = obj.json().fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw obj.error(e.getKey(), "expected a header value (a string)");
            }
            String value = e.getValue().asText();
            checkName(obj, e.getKey());
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw obj.error(e.getKey(), "header values must not contain CR or LF");
            }
            out.put(e.getKey(), value);
        }
        return Map.copyOf(out);
    }

    static boolean isName(String name) {
        return !name.isEmpty() && name.chars().allMatch(HeaderValues::tokenChar);
    }

    static void checkName(ConfigNode node, String name) {
        if (!isName(name)) {
            throw node.error(name, "'" + name + "' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)");
        }
    }

    private static boolean tokenChar(int c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    static ObjectNode toJson(Map<String, String> headers) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        headers.forEach(n::put);
        return n;
    }

    static HttpHeaders toHeaders(Map<String, String> headers) {
        HttpHeaders h = new DefaultHttpHeaders();
        headers.forEach(h::add);
        return h;
    }
}
