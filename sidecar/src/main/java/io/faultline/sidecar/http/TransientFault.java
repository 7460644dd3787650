package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultSpec;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * transient: Vaurien's transient error. The first {@code failures} requests the rule selects are
 * answered with {@code status} (default 503) here; every later one goes through. Counted per client
 * connection ({@code scope: connection}, default) or across all connections ({@code global});
 * a changed rule starts counting afresh.
 */
public record TransientFault(long failures, int status, Scope scope) implements HttpFault {

    public enum Scope {
        CONNECTION, GLOBAL;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "transient";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("failures", "status", "scope"));
            if (!node.has("failures")) {
                throw node.error("failures", "required; expected the number of requests that fail first (1 or more)");
            }
            return new TransientFault(node.integer("failures", 1, 1, Long.MAX_VALUE),
                    (int) node.integer("status", 503, 400, 599),
                    node.enumValue("scope", Scope.class, Scope.CONNECTION));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode()
                .put("failures", failures)
                .put("status", status)
                .put("scope", scope.toString());
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        AtomicLong seen = scope == Scope.GLOBAL
                ? exchange.ruleState(AtomicLong::new)
                : exchange.connectionState(AtomicLong::new);
        if (seen.getAndIncrement() < failures) {
            exchange.injected();
            exchange.respond(HttpResponseStatus.valueOf(status), new DefaultHttpHeaders(),
                    "transient failure injected by faultline\n");
        }
    }
}
