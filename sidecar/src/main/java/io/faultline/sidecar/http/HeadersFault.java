package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultSpec;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * headers: HeliosBurn's header rules. {@code request} edits what the upstream receives,
 * {@code response} what the client receives; each with {@code set} (replace), {@code add} (append
 * a value) and {@code remove} (names), applied in the order remove, set, add. Framing headers
 * (content-length, transfer-encoding) and hop-by-hop headers cannot be edited.
 */
public record HeadersFault(Edit request, Edit response) implements HttpFault {
    private static final Set<String> PROTECTED = Set.of(
            "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "host");

    /** One side's edits. */
    public record Edit(Map<String, String> set, Map<String, String> add, List<String> remove) {
        static final Edit NONE = new Edit(Map.of(), Map.of(), List.of());

        static Edit parse(ConfigNode parent, String field) {
            if (!parent.has(field)) {
                return NONE;
            }
            ConfigNode node = parent.object(field).allowOnly(Set.of("set", "add", "remove"));
            Map<String, String> set = HeaderValues.parse(node, "set");
            Map<String, String> add = HeaderValues.parse(node, "add");
            List<String> remove = node.strings("remove");
            for (int i = 0; i < remove.size(); i++) {
                if (!HeaderValues.isName(remove.get(i))) {
                    throw new io.faultline.sidecar.config.ConfigException(node.pathOf("remove") + "[" + i + "]",
                            "'" + remove.get(i) + "' is not a valid header name");
                }
            }
            for (String name : concat(set.keySet(), add.keySet(), remove)) {
                if (PROTECTED.contains(name.toLowerCase(Locale.ROOT))) {
                    throw node.error(null, "'" + name + "' cannot be edited (framing or hop-by-hop header); protected: "
                            + new java.util.TreeSet<>(PROTECTED));
                }
            }
            return new Edit(set, add, List.copyOf(remove));
        }

        private static List<String> concat(Set<String> a, Set<String> b, List<String> c) {
            List<String> all = new java.util.ArrayList<>(a);
            all.addAll(b);
            all.addAll(c);
            return all;
        }

        boolean isEmpty() {
            return set.isEmpty() && add.isEmpty() && remove.isEmpty();
        }

        void applyTo(HttpHeaders headers) {
            remove.forEach(headers::remove);
            set.forEach(headers::set);
            add.forEach(headers::add);
        }

        ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.set("set", HeaderValues.toJson(set));
            n.set("add", HeaderValues.toJson(add));
            remove.forEach(n.putArray("remove")::add);
            if (remove.isEmpty()) {
                n.putArray("remove");
            }
            return n;
        }
    }

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "headers";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("request", "response"));
            HeadersFault f = new HeadersFault(Edit.parse(node, "request"), Edit.parse(node, "response"));
            if (f.request.isEmpty() && f.response.isEmpty()) {
                throw node.error(null, "nothing to do; give request and/or response edits: {set, add, remove}");
            }
            return f;
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("request", request.toJson());
        n.set("response", response.toJson());
        return n;
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        exchange.injected();
        request.applyTo(exchange.request().headers());
        if (!response.isEmpty()) {
            exchange.onResponse(r -> response.applyTo(r.headers()));
        }
    }
}
