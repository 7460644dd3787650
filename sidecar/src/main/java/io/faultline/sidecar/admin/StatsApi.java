package io.faultline.sidecar.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.config.Protocol;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.engine.Engine;
import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.engine.RuleStats;
import io.faultline.sidecar.recording.Histogram;
import io.faultline.sidecar.recording.PhaseTimings;
import io.faultline.sidecar.recording.RecordingBuffer;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Counters of the config in force: {@code GET /v1/stats} (JSON) and {@code GET /metrics} (Prometheus).
 * Every listener and rule of the config is listed, with zeros where nothing was counted yet.
 */
final class StatsApi {
    private static final ListenerStats NO_LISTENER_STATS = new ListenerStats();
    private static final RuleStats NO_RULE_STATS = new RuleStats();

    private final Engine engine;

    StatsApi(Engine engine) {
        this.engine = engine;
    }

    void register(Router router) {
        router.addSync(HttpMethod.GET, "/v1/stats", r -> AdminResponse.ok(stats()));
        router.addSync(HttpMethod.GET, "/metrics", r -> AdminResponse.text(HttpResponseStatus.OK,
                PrometheusText.CONTENT_TYPE, metrics()));
    }

    ObjectNode stats() {
        ProxyConfig config = engine.config();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("version", config.version());
        root.put("expiresAt", config.expiresAt() == null ? null : config.expiresAt().toString());
        root.put("expired", engine.expired());
        root.put("appliedAt", engine.appliedAt() == null ? null : engine.appliedAt().toString());
        ObjectNode listeners = root.putObject("listeners");
        for (ListenerSpec l : config.listeners()) {
            ListenerStats s = listenerStats(l.name());
            listeners.putObject(l.name())
                    .put("bound", engine.boundAddress(l.name()))
                    .put("enabled", l.enabled())
                    .put("connectionsActive", s.connectionsActive.get())
                    .put("connectionsTotal", s.connectionsTotal.sum())
                    .put("connectionsRejected", s.connectionsRejected.sum())
                    .put("upstreamConnectFailures", s.upstreamConnectFailures.sum())
                    .put("bytesUpstream", s.bytesUpstream.sum())
                    .put("bytesDownstream", s.bytesDownstream.sum());
            if (l.protocol() == Protocol.HTTP) {
                ObjectNode node = listeners.with(l.name());
                node.set("http", s.http.toJson());
                node.set("timings", timings(s));
                RecordingBuffer rec = s.recordings;
                if (rec != null) {
                    node.putObject("recording").put("capacity", rec.capacity()).put("size", rec.size())
                            .put("recorded", rec.recorded());
                }
            }
            if (l.termination().enabled()) {
                listeners.with(l.name()).putObject("terminateTls")
                        .put("certificateReloads", s.certificateReloads.sum())
                        .put("certificateReloadFailures", s.certificateReloadFailures.sum());
            }
        }
        ObjectNode rules = root.putObject("rules");
        for (RuleSpec r : config.rules()) {
            RuleStats s = ruleStats(r.name());
            rules.putObject(r.name())
                    .put("connections", s.connections.sum())
                    .put("matched", s.matched.sum())
                    .put("injected", s.injected.sum());
        }
        return root;
    }

    String metrics() {
        ProxyConfig config = engine.config();
        PrometheusText out = new PrometheusText();
        out.family("faultline_config_info", "gauge", "The config in force; its version is a label.")
                .sample("faultline_config_info", 1, "version", config.version());
        out.family("faultline_config_expired", "gauge", "1 once the config's expiresAt has passed (pass-through).")
                .sample("faultline_config_expired", engine.expired() ? 1 : 0);
        if (config.expiresAt() != null) {
            out.family("faultline_config_expires_at_seconds", "gauge", "The config's expiresAt, in Unix seconds.")
                    .sample("faultline_config_expires_at_seconds", config.expiresAt().getEpochSecond());
        }
        out.family("faultline_listener_up", "gauge", "1 while the listener is bound and accepting.");
        for (ListenerSpec l : config.listeners()) {
            out.sample("faultline_listener_up", engine.boundAddress(l.name()) != null ? 1 : 0, "listener", l.name());
        }
        listenerFamily(out, config, "faultline_listener_connections_active", "gauge",
                "Client connections open now.", s -> s.connectionsActive.get());
        listenerFamily(out, config, "faultline_listener_connections_total", "counter",
                "Client connections accepted.", s -> s.connectionsTotal.sum());
        listenerFamily(out, config, "faultline_listener_connections_rejected_total", "counter",
                "Client connections closed at once because maxConnections was reached.",
                s -> s.connectionsRejected.sum());
        listenerFamily(out, config, "faultline_listener_upstream_connect_failures_total", "counter",
                "Connections to the upstream that failed.", s -> s.upstreamConnectFailures.sum());
        out.family("faultline_listener_certificate_reloads_total", "counter",
                "TLS termination: certificate file changes, by outcome (failed = the previous certificate stays).");
        for (ListenerSpec l : config.listeners()) {
            if (l.termination().enabled()) {
                ListenerStats s = listenerStats(l.name());
                out.sample("faultline_listener_certificate_reloads_total", s.certificateReloads.sum(),
                        "listener", l.name(), "outcome", "ok");
                out.sample("faultline_listener_certificate_reloads_total", s.certificateReloadFailures.sum(),
                        "listener", l.name(), "outcome", "failed");
            }
        }
        out.family("faultline_listener_bytes_total", "counter",
                "Bytes relayed: direction upstream is client to server, downstream is server to client.");
        for (ListenerSpec l : config.listeners()) {
            ListenerStats s = listenerStats(l.name());
            out.sample("faultline_listener_bytes_total", s.bytesUpstream.sum(), "listener", l.name(), "direction", "upstream");
            out.sample("faultline_listener_bytes_total", s.bytesDownstream.sum(), "listener", l.name(), "direction", "downstream");
        }
        out.family("faultline_rule_connections_total", "counter", "Connections (or requests) a rule was applied to.");
        for (RuleSpec r : config.rules()) {
            out.sample("faultline_rule_connections_total", ruleStats(r.name()).connections.sum(), "rule", r.name());
        }
        out.family("faultline_listener_http_requests_total", "counter",
                "HTTP requests received on http listeners, by outcome.");
        for (ListenerSpec l : config.listeners()) {
            if (l.protocol() == Protocol.HTTP) {
                ObjectNode http = listenerStats(l.name()).http.toJson();
                http.fieldNames().forEachRemaining(outcome -> out.sample("faultline_listener_http_requests_total",
                        http.get(outcome).asLong(), "listener", l.name(), "outcome", outcome));
            }
        }
        histogramFamily(out, config, "faultline_listener_http_upstream_connect_seconds",
                "Opening a new upstream connection for an http request (reused connections are not counted).",
                t -> t.upstreamConnect);
        histogramFamily(out, config, "faultline_listener_http_time_to_first_byte_seconds",
                "From an http request's head received to its response head sent to the client (injected delays included).",
                t -> t.timeToFirstByte);
        histogramFamily(out, config, "faultline_listener_http_request_duration_seconds",
                "From an http request's head received to its response's last byte sent to the client.",
                t -> t.total);
        out.family("faultline_rule_matched_total", "counter", "Requests an http rule matched (before its probability draw).");
        for (RuleSpec r : config.rules()) {
            out.sample("faultline_rule_matched_total", ruleStats(r.name()).matched.sum(), "rule", r.name());
        }
        out.family("faultline_rule_injected_total", "counter", "Times a rule's fault acted.");
        for (RuleSpec r : config.rules()) {
            out.sample("faultline_rule_injected_total", ruleStats(r.name()).injected.sum(), "rule", r.name());
        }
        return out.toString();
    }

    private void listenerFamily(PrometheusText out, ProxyConfig config, String name, String type, String help,
                                java.util.function.ToLongFunction<ListenerStats> value) {
        out.family(name, type, help);
        for (ListenerSpec l : config.listeners()) {
            out.sample(name, value.applyAsLong(listenerStats(l.name())), "listener", l.name());
        }
    }

    private void histogramFamily(PrometheusText out, ProxyConfig config, String name, String help,
                                 java.util.function.Function<PhaseTimings, Histogram> which) {
        out.family(name, "histogram", help);
        for (ListenerSpec l : config.listeners()) {
            if (l.protocol() == Protocol.HTTP) {
                out.histogram(name, which.apply(listenerStats(l.name()).httpTimings).snapshot(), "listener", l.name());
            }
        }
    }

    private static ObjectNode timings(ListenerStats s) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        summary(n, "upstreamConnect", s.httpTimings.upstreamConnect);
        summary(n, "timeToFirstByte", s.httpTimings.timeToFirstByte);
        summary(n, "total", s.httpTimings.total);
        return n;
    }

    private static void summary(ObjectNode parent, String field, Histogram h) {
        Histogram.Snapshot snap = h.snapshot();
        parent.putObject(field).put("count", snap.count()).put("sumSeconds", snap.sumSeconds());
    }

    private ListenerStats listenerStats(String name) {
        return engine.listenerStats().getOrDefault(name, NO_LISTENER_STATS);
    }

    private RuleStats ruleStats(String name) {
        return engine.ruleStats().getOrDefault(name, NO_RULE_STATS);
    }
}
