package io.faultline.sidecar.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Function;

/** Renders a ProxyConfig in its normalized native form (what GET /v1/config answers). */
public final class ConfigJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ConfigJson() {
    }

    /** {@code boundAddress} gives each listener's actual address (null when not bound). */
    public static ObjectNode render(ProxyConfig config, Function<String, String> boundAddress) {
        ObjectNode root = JSON.objectNode();
        root.put("version", config.version());
        root.put("expiresAt", config.expiresAt() == null ? null : config.expiresAt().toString());
        ArrayNode listeners = root.putArray("listeners");
        for (ListenerSpec l : config.listeners()) {
            listeners.add(renderListener(l, boundAddress.apply(l.name())));
        }
        ArrayNode rules = root.putArray("rules");
        for (RuleSpec r : config.rules()) {
            rules.add(renderRule(r));
        }
        return root;
    }

    public static ObjectNode renderListener(ListenerSpec l, String bound) {
        ObjectNode n = JSON.objectNode();
        n.put("name", l.name());
        n.put("listen", l.listen().toString());
        n.put("upstream", l.upstream().toString());
        n.put("protocol", l.protocol().toString());
        n.put("enabled", l.enabled());
        n.put("connectTimeout", Durations.format(l.connectTimeout()));
        n.put("maxConnections", l.maxConnections());
        if (l.protocol() == Protocol.HTTP) {
            n.put("responseTimeout", Durations.format(l.responseTimeout()));
            n.put("idleTimeout", Durations.format(l.idleTimeout()));
            n.put("requestHeadTimeout", Durations.format(l.requestHeadTimeout()));
            n.put("requestBodyIdleTimeout", Durations.format(l.requestBodyIdleTimeout()));
        }
        if (l.recording().enabled()) {
            ObjectNode rec = n.putObject("recording");
            rec.put("capacity", l.recording().capacity());
            ArrayNode names = rec.putArray("headers");
            l.recording().headers().forEach(names::add);
            rec.put("bodyBytes", l.recording().bodyBytes());
        }
        if (l.tls().caFile() != null || l.tls().serverName() != null) {
            ObjectNode tls = n.putObject("tls");
            if (l.tls().caFile() != null) {
                tls.put("caFile", l.tls().caFile());
            }
            if (l.tls().serverName() != null) {
                tls.put("serverName", l.tls().serverName());
            }
        }
        if (l.termination().enabled()) {
            ObjectNode t = n.putObject("terminateTls")
                    .put("certFile", l.termination().certFile())
                    .put("keyFile", l.termination().keyFile());
            if (l.protocol() == Protocol.HTTP) {
                ArrayNode alpn = t.putArray("alpn");
                l.termination().alpn().forEach(alpn::add);
            }
        }
        n.put("bound", bound);
        return n;
    }

    public static ObjectNode renderRule(RuleSpec r) {
        ObjectNode n = JSON.objectNode();
        n.put("name", r.name());
        ArrayNode ls = n.putArray("listeners");
        r.listeners().forEach(ls::add);
        n.put("probability", r.probability());
        n.put("stream", r.stream().toString());
        if (r.match() != null) {
            n.set("match", r.match());
        }
        n.set(r.fault().kind().name(), r.fault().toJson());
        return n;
    }
}
