package io.faultline.sidecar.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.config.StreamDirection;
import io.faultline.sidecar.engine.Engine;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The config seen as Toxiproxy proxies and toxics, in Toxiproxy 2.12's JSON shapes (every field present). */
final class ToxiproxyView {
    static final String PROXY_NOT_FOUND = "proxy not found";
    static final String TOXIC_NOT_FOUND = "toxic not found";

    private final Engine engine;
    private final ToxiproxyNames names;

    ToxiproxyView(Engine engine, ToxiproxyNames names) {
        this.engine = engine;
        this.names = names;
    }

    ToxiproxyNames names() {
        return names;
    }

    Optional<ListenerSpec> proxy(ProxyConfig config, String proxyName) {
        return config.listeners().stream().filter(l -> names.proxyName(l.name()).equals(proxyName)).findFirst();
    }

    ListenerSpec requireProxy(ProxyConfig config, String proxyName) {
        return proxy(config, proxyName).orElseThrow(() -> new ApiException(HttpResponseStatus.NOT_FOUND, PROXY_NOT_FOUND));
    }

    /** Toxiproxy lists a proxy's upstream toxics first, then its downstream ones, each in the order added. */
    List<RuleSpec> toxics(ProxyConfig config, ListenerSpec proxy) {
        return config.rulesFor(proxy.name()).stream()
                .sorted(Comparator.comparingInt(r -> streamOrder(r.stream())))
                .toList();
    }

    Optional<RuleSpec> toxic(ProxyConfig config, ListenerSpec proxy, String toxicName) {
        return config.rulesFor(proxy.name()).stream()
                .filter(r -> names.toxicName(r, proxy.name()).equals(toxicName))
                .findFirst();
    }

    RuleSpec requireToxic(ProxyConfig config, ListenerSpec proxy, String toxicName) {
        return toxic(config, proxy, toxicName)
                .orElseThrow(() -> new ApiException(HttpResponseStatus.NOT_FOUND, TOXIC_NOT_FOUND));
    }

    /** Toxiproxy shows the bound address once listening, the configured one otherwise. */
    String listen(ListenerSpec proxy) {
        String bound = engine.boundAddress(proxy.name());
        return bound != null ? bound : proxy.listen().toString();
    }

    ObjectNode renderProxy(ProxyConfig config, ListenerSpec proxy) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", names.proxyName(proxy.name()));
        n.put("listen", listen(proxy));
        n.put("upstream", proxy.upstream().toString());
        n.put("enabled", proxy.enabled());
        ArrayNode toxics = n.putArray("toxics");
        for (RuleSpec r : toxics(config, proxy)) {
            toxics.add(renderToxic(r, proxy));
        }
        return n;
    }

    ObjectNode renderToxic(RuleSpec rule, ListenerSpec proxy) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("attributes", rule.fault().toToxiproxy());
        n.put("name", names.toxicName(rule, proxy.name()));
        n.put("type", rule.fault().kind().toxiproxyType());
        n.put("stream", rule.stream().toString());
        n.put("toxicity", rule.probability());
        return n;
    }

    private static int streamOrder(StreamDirection s) {
        return switch (s) {
            case UPSTREAM -> 0;
            case DOWNSTREAM -> 1;
            case BOTH -> 2;
        };
    }
}
