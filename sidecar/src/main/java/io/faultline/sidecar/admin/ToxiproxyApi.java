package io.faultline.sidecar.admin;

import static io.faultline.sidecar.admin.ToxiproxyBody.badBody;
import static io.faultline.sidecar.admin.ToxiproxyBody.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.HostPort;
import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.config.Protocol;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.config.StreamDirection;
import io.faultline.sidecar.config.TlsSpec;
import io.faultline.sidecar.config.Upstream;
import io.faultline.sidecar.engine.Engine;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultKinds;
import io.faultline.sidecar.http.HttpFaultKinds;
import io.faultline.sidecar.fault.FaultSpec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The Toxiproxy 2.12 HTTP API at the root, so that its clients (Go client and CLI, toxiproxy-java,
 * the Ruby client, Testcontainers) drive the sidecar unchanged. One engine, two front doors: every
 * proxy is a listener of the config in force and every toxic a rule; each call is one atomic
 * {@link Engine#update}, so {@code GET /v1/config} shows the result and a failed call changes nothing.
 *
 * <p>Where we differ from Toxiproxy, on purpose: a failed populate applies nothing (Toxiproxy keeps
 * the proxies created before the failure); a toxicity outside 0..1 and unknown toxic attributes are
 * rejected with 400 instead of being taken or ignored; a missing {@code listen} binds 127.0.0.1:0
 * rather than every interface; a changed upstream applies to new connections and keeps open ones.
 */
final class ToxiproxyApi {
    /** The Toxiproxy release whose API this one follows; clients read it from {@code /version}. */
    static final String TOXIPROXY_VERSION = "2.12.0";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Engine engine;
    private final ToxiproxyNames names = new ToxiproxyNames();
    private final ToxiproxyView view;

    ToxiproxyApi(Engine engine) {
        this.engine = engine;
        this.view = new ToxiproxyView(engine, names);
    }

    void register(Router router) {
        sync(router, HttpMethod.GET, "/version", r -> AdminResponse.ok(JSON.objectNode()
                .put("version", TOXIPROXY_VERSION).put("faultline", faultlineVersion())));
        async(router, HttpMethod.POST, "/reset", this::reset);
        async(router, HttpMethod.POST, "/populate", this::populate);
        sync(router, HttpMethod.GET, "/proxies", r -> AdminResponse.ok(index()));
        async(router, HttpMethod.POST, "/proxies", this::createProxy);
        sync(router, HttpMethod.GET, "/proxies/{proxy}", this::showProxy);
        async(router, HttpMethod.POST, "/proxies/{proxy}", this::updateProxy);
        async(router, HttpMethod.PATCH, "/proxies/{proxy}", this::updateProxy);
        async(router, HttpMethod.DELETE, "/proxies/{proxy}", this::deleteProxy);
        sync(router, HttpMethod.GET, "/proxies/{proxy}/toxics", this::toxicIndex);
        async(router, HttpMethod.POST, "/proxies/{proxy}/toxics", this::createToxic);
        sync(router, HttpMethod.GET, "/proxies/{proxy}/toxics/{toxic}", this::showToxic);
        async(router, HttpMethod.POST, "/proxies/{proxy}/toxics/{toxic}", this::updateToxic);
        async(router, HttpMethod.PATCH, "/proxies/{proxy}/toxics/{toxic}", this::updateToxic);
        async(router, HttpMethod.DELETE, "/proxies/{proxy}/toxics/{toxic}", this::deleteToxic);
    }

    private static void sync(Router router, HttpMethod method, String path, Function<AdminRequest, AdminResponse> f) {
        async(router, method, path, r -> CompletableFuture.completedFuture(f.apply(r)));
    }

    /**
     * Like Toxiproxy, browsers are turned away: a web page could otherwise send a "simple" cross-origin
     * POST (text/plain, no preflight) to a loopback API without a token and change the proxies.
     */
    private static void async(Router router, HttpMethod method, String path, Router.Handler handler) {
        router.add(method, path, r -> {
            String agent = r.headers().get(HttpHeaderNames.USER_AGENT);
            if (agent != null && agent.startsWith("Mozilla/")) {
                return CompletableFuture.completedFuture(
                        AdminResponse.error(HttpResponseStatus.FORBIDDEN, "User agent not allowed"));
            }
            return handler.handle(r);
        });
    }

    // ---- proxies

    /** Keyed by proxy name, sorted (Go marshals map keys in order). */
    private ObjectNode index() {
        ProxyConfig c = engine.config();
        TreeMap<String, ObjectNode> sorted = new TreeMap<>();
        for (ListenerSpec l : c.listeners()) {
            sorted.put(names.proxyName(l.name()), view.renderProxy(c, l));
        }
        ObjectNode out = JSON.objectNode();
        sorted.forEach(out::set);
        return out;
    }

    private AdminResponse showProxy(AdminRequest r) {
        ProxyConfig c = engine.config();
        return AdminResponse.ok(view.renderProxy(c, view.requireProxy(c, r.param("proxy"))));
    }

    private record ProxyInput(String name, HostPort listen, Upstream upstream, boolean enabled) {
    }

    /** A proxy of a create or populate call; {@code at} is Toxiproxy's " at proxy N" suffix for populate. */
    private static ProxyInput proxyInput(ConfigNode n, String at) {
        String name = read(() -> n.string("name", ""));
        if (name.isEmpty()) {
            throw ToxiproxyBody.missingField("name" + at);
        }
        String upstream = read(() -> n.string("upstream", ""));
        if (upstream.isEmpty()) {
            throw ToxiproxyBody.missingField("upstream" + at);
        }
        String listen = read(() -> n.string("listen", ""));
        boolean enabled = read(() -> n.bool("enabled", true));
        return new ProxyInput(name, ToxiproxyBody.listen(n, listen), ToxiproxyBody.upstream(n, upstream), enabled);
    }

    private ListenerSpec newListener(ProxyConfig c, ProxyInput in) {
        String listener = names.newListenerName(in.name(), ToxiproxyEdits.listenerNames(c));
        Protocol protocol = in.upstream().scheme().equals("http") ? Protocol.HTTP : Protocol.TCP;
        return new ListenerSpec(listener, in.listen(), in.upstream(), protocol, in.enabled(),
                ListenerSpec.DEFAULT_CONNECT_TIMEOUT, 0, TlsSpec.DEFAULT);
    }

    private CompletionStage<AdminResponse> createProxy(AdminRequest r) {
        ProxyInput in = proxyInput(ToxiproxyBody.object(r.body()), "");
        AtomicReference<String> created = new AtomicReference<>();
        return change(c -> {
            if (view.proxy(c, in.name()).isPresent()) {
                throw new ApiException(HttpResponseStatus.CONFLICT, "proxy already exists");
            }
            ListenerSpec spec = newListener(c, in);
            created.set(spec.name());
            return ToxiproxyEdits.addListener(c, spec);
        }).thenApply(c -> AdminResponse.json(HttpResponseStatus.CREATED,
                view.renderProxy(c, c.listener(created.get()).orElseThrow())));
    }

    private CompletionStage<AdminResponse> updateProxy(AdminRequest r) {
        String proxyName = r.param("proxy");
        view.requireProxy(engine.config(), proxyName);
        ConfigNode n = ToxiproxyBody.object(r.body());
        String listenText = read(() -> n.string("listen", null));
        HostPort listen = listenText == null ? null : ToxiproxyBody.listen(n, listenText);
        String upstreamText = read(() -> n.string("upstream", null));
        Upstream upstream = upstreamText == null ? null : ToxiproxyBody.upstream(n, upstreamText);
        Boolean enabled = n.has("enabled") ? read(() -> n.bool("enabled", true)) : null;
        AtomicReference<String> updated = new AtomicReference<>();
        return change(c -> {
            ListenerSpec old = view.requireProxy(c, proxyName);
            ListenerSpec spec = old;
            // Clients send back the listen they were shown (the bound address): that is no change.
            if (listen != null && !listenText.equals(view.listen(old)) && !listen.equals(old.listen())) {
                spec = spec.withListen(listen);
            }
            if (upstream != null) {
                spec = spec.withUpstream(upstream);
            }
            if (enabled != null && enabled != old.enabled()) {
                if (!enabled && spec.listen().port() == 0 && spec.listen().equals(old.listen())) {
                    // Like Toxiproxy, a proxy that got an ephemeral port comes back on that port when re-enabled.
                    String bound = engine.boundAddress(old.name());
                    if (bound != null) {
                        spec = spec.withListen(HostPort.parse(bound));
                    }
                }
                spec = spec.withEnabled(enabled);
            }
            updated.set(old.name());
            return ToxiproxyEdits.replaceListener(c, old, spec);
        }).thenApply(c -> AdminResponse.ok(view.renderProxy(c, c.listener(updated.get()).orElseThrow())));
    }

    private CompletionStage<AdminResponse> deleteProxy(AdminRequest r) {
        String proxyName = r.param("proxy");
        return change(c -> ToxiproxyEdits.removeListener(c, view.requireProxy(c, proxyName)))
                .thenApply(c -> AdminResponse.empty(HttpResponseStatus.NO_CONTENT));
    }

    /** Creates or replaces each proxy; one that exists with the same listen and upstream is kept as it is. */
    private CompletionStage<AdminResponse> populate(AdminRequest r) {
        JsonNode body = ToxiproxyBody.parse(r.body());
        if (!body.isArray()) {
            throw badBody("expected a JSON list of proxies");
        }
        List<ProxyInput> inputs = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            inputs.add(proxyInput(ToxiproxyBody.object(body.get(i), "[" + i + "]"), " at proxy " + (i + 1)));
        }
        List<String> listeners = new ArrayList<>();
        CompletionStage<AdminResponse> answer = change(c -> {
            listeners.clear();
            ProxyConfig next = c;
            for (ProxyInput in : inputs) {
                ListenerSpec existing = view.proxy(next, in.name()).orElse(null);
                if (existing != null && existing.upstream().equals(in.upstream())
                        && (existing.listen().equals(in.listen()) || in.listen().toString().equals(view.listen(existing)))) {
                    listeners.add(existing.name());
                    continue;
                }
                if (existing != null) {
                    next = ToxiproxyEdits.removeListener(next, existing);
                }
                ListenerSpec spec = newListener(next, in);
                next = ToxiproxyEdits.addListener(next, spec);
                listeners.add(spec.name());
            }
            return next;
        }).thenApply(c -> {
            ObjectNode out = JSON.objectNode();
            ArrayNode proxies = out.putArray("proxies");
            listeners.forEach(l -> proxies.add(view.renderProxy(c, c.listener(l).orElseThrow())));
            return AdminResponse.json(HttpResponseStatus.CREATED, out);
        });
        // Toxiproxy answers a failed populate with the error and the proxies it created: none here.
        return answer.exceptionally(failure -> {
            Throwable t = unwrap(failure);
            HttpResponseStatus status = t instanceof ApiException ae ? ae.status()
                    : t instanceof ConfigException ? HttpResponseStatus.BAD_REQUEST : null;
            if (status == null) {
                throw new CompletionException(t);
            }
            ObjectNode out = JSON.objectNode().put("error", t.getMessage()).put("status", status.code());
            out.putArray("proxies");
            return AdminResponse.json(status, out);
        });
    }

    /** Every proxy enabled, every toxic gone. */
    private CompletionStage<AdminResponse> reset(AdminRequest r) {
        return change(c -> c.withListeners(c.listeners().stream().map(l -> l.withEnabled(true)).toList())
                .withRules(List.of()))
                .thenApply(c -> AdminResponse.empty(HttpResponseStatus.NO_CONTENT));
    }

    // ---- toxics

    private AdminResponse toxicIndex(AdminRequest r) {
        ProxyConfig c = engine.config();
        ListenerSpec proxy = view.requireProxy(c, r.param("proxy"));
        ArrayNode out = JSON.arrayNode();
        view.toxics(c, proxy).forEach(t -> out.add(view.renderToxic(t, proxy)));
        return AdminResponse.ok(out);
    }

    private AdminResponse showToxic(AdminRequest r) {
        ProxyConfig c = engine.config();
        ListenerSpec proxy = view.requireProxy(c, r.param("proxy"));
        return AdminResponse.ok(view.renderToxic(view.requireToxic(c, proxy, r.param("toxic")), proxy));
    }

    private CompletionStage<AdminResponse> createToxic(AdminRequest r) {
        String proxyName = r.param("proxy");
        view.requireProxy(engine.config(), proxyName);
        ConfigNode n = ToxiproxyBody.object(r.body());
        String streamText = read(() -> n.string("stream", "downstream"));
        StreamDirection stream = switch (streamText.toLowerCase(java.util.Locale.ROOT)) {
            case "upstream" -> StreamDirection.UPSTREAM;
            case "downstream" -> StreamDirection.DOWNSTREAM;
            default -> throw new ApiException(HttpResponseStatus.BAD_REQUEST,
                    "stream was invalid, can be either upstream or downstream");
        };
        String type = read(() -> n.string("type", ""));
        String givenName = read(() -> n.string("name", ""));
        String toxicName = givenName.isEmpty() ? type + "_" + stream : givenName;
        FaultKind kind = FaultKinds.byToxiproxyType(type)
                .filter(k -> !HttpFaultKinds.ALL.contains(k)) // Toxiproxy proxies are tcp: http kinds are no toxics
                .orElseThrow(() -> new ApiException(HttpResponseStatus.BAD_REQUEST, "invalid toxic type"));
        double toxicity = read(() -> n.number("toxicity", 1.0, 0.0, 1.0));
        FaultSpec fault = read(() -> kind.fromToxiproxy(attributes(n)));
        AtomicReference<String[]> created = new AtomicReference<>();
        return change(c -> {
            ListenerSpec proxy = view.requireProxy(c, proxyName);
            if (view.toxic(c, proxy, toxicName).isPresent()) {
                throw new ApiException(HttpResponseStatus.CONFLICT, "toxic already exists");
            }
            String rule = names.newRuleName(proxy.name(), toxicName, ToxiproxyEdits.ruleNames(c));
            created.set(new String[] {proxy.name(), rule});
            return ToxiproxyEdits.addRule(c, new RuleSpec(rule, List.of(proxy.name()), toxicity, stream, null, fault));
        }).thenApply(c -> AdminResponse.ok(view.renderToxic(c.rule(created.get()[1]).orElseThrow(),
                c.listener(created.get()[0]).orElseThrow())));
    }

    /** Merges the given attributes into the toxic's, like Toxiproxy; a rule shared by several listeners changes for all. */
    private CompletionStage<AdminResponse> updateToxic(AdminRequest r) {
        String proxyName = r.param("proxy");
        String toxicName = r.param("toxic");
        ProxyConfig current = engine.config();
        view.requireToxic(current, view.requireProxy(current, proxyName), toxicName);
        ConfigNode n = ToxiproxyBody.object(r.body());
        Double toxicity = n.has("toxicity") ? read(() -> n.number("toxicity", 1.0, 0.0, 1.0)) : null;
        ConfigNode given = read(() -> attributes(n));
        AtomicReference<String[]> updated = new AtomicReference<>();
        return change(c -> {
            ListenerSpec proxy = view.requireProxy(c, proxyName);
            RuleSpec old = view.requireToxic(c, proxy, toxicName);
            FaultSpec fault = old.fault();
            if (given.json().size() > 0) {
                // Only re-read the fault when attributes change: native settings Toxiproxy cannot express stay.
                ObjectNode merged = old.fault().toToxiproxy().deepCopy();
                merged.setAll((ObjectNode) given.json());
                fault = read(() -> old.fault().kind().fromToxiproxy(new ConfigNode(merged, "attributes")));
            }
            RuleSpec next = new RuleSpec(old.name(), old.listeners(),
                    toxicity != null ? toxicity : old.probability(), old.stream(), old.match(), fault);
            updated.set(new String[] {proxy.name(), old.name()});
            return ToxiproxyEdits.replaceRule(c, old, next);
        }).thenApply(c -> AdminResponse.ok(view.renderToxic(c.rule(updated.get()[1]).orElseThrow(),
                c.listener(updated.get()[0]).orElseThrow())));
    }

    private CompletionStage<AdminResponse> deleteToxic(AdminRequest r) {
        String proxyName = r.param("proxy");
        String toxicName = r.param("toxic");
        return change(c -> {
            ListenerSpec proxy = view.requireProxy(c, proxyName);
            return ToxiproxyEdits.removeToxic(c, proxy, view.requireToxic(c, proxy, toxicName));
        }).thenApply(c -> AdminResponse.empty(HttpResponseStatus.NO_CONTENT));
    }

    private static ConfigNode attributes(ConfigNode toxic) {
        JsonNode a = toxic.json().get("attributes");
        if (a == null || a.isNull()) {
            return ConfigNode.empty("attributes");
        }
        if (!a.isObject()) {
            throw new ConfigException("attributes", "expected an object");
        }
        return new ConfigNode(a, "attributes");
    }

    // ---- plumbing

    /** One atomic engine update; the result is validated like any config before it is applied. */
    private CompletionStage<ProxyConfig> change(UnaryOperator<ProxyConfig> edit) {
        CompletableFuture<ProxyConfig> result = new CompletableFuture<>();
        Future<ProxyConfig> applied = engine.update(current -> {
            ProxyConfig next = edit.apply(current);
            if (!next.equals(current)) {
                next = next.withVersion(editedVersion(current.version()));
            }
            ConfigParser.revalidate(next);
            return next;
        });
        applied.addListener(f -> {
            if (applied.isSuccess()) {
                names.retain(applied.getNow());
                result.complete(applied.getNow());
            } else {
                result.completeExceptionally(applied.cause());
            }
        });
        return result;
    }

    /**
     * A change made here is a change to the config, so its version changes too ({@code 42} becomes
     * {@code 42+toxiproxy.1}, then {@code 42+toxiproxy.2}): a writer that compares versions, such as the
     * operator, sees that the sidecar no longer runs what it pushed.
     */
    static String editedVersion(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.*)\\+toxiproxy\\.(\\d+)").matcher(version);
        if (m.matches()) {
            return m.group(1) + "+toxiproxy." + (Long.parseLong(m.group(2)) + 1);
        }
        return version + "+toxiproxy.1";
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static String faultlineVersion() {
        String v = ToxiproxyApi.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
