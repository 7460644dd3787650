package io.faultline.sidecar.http;

import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.fault.FaultSpec;
import io.faultline.sidecar.fault.LatencyFault;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which rules of an http listener act on the bytes of a connection after it switched protocols
 * (WebSocket): those with a tcp form (the tcp fault kinds, and latency without a {@code phase}),
 * whose {@code match}, if any, matches the upgrade request.
 */
final class TunnelRules {
    private TunnelRules() {
    }

    /** Whether a fault acts on bytes (tcp listeners, upgraded http connections). */
    static boolean hasTcpForm(FaultSpec fault) {
        boolean tcp = !(fault instanceof HttpFault h) || h.worksOnTcp();
        return tcp && !(fault instanceof LatencyFault l && l.phase() != null);
    }

    /** The predicate for one upgraded connection; used on its event loop only (memo per rule). */
    static Predicate<RuleSpec> forUpgrade(RequestView upgradeRequest) {
        Map<RuleSpec, Boolean> decided = new HashMap<>();
        return rule -> decided.computeIfAbsent(rule, r -> hasTcpForm(r.fault())
                && (r.match() == null || RequestMatch.fromJson(r.match()).matches(upgradeRequest)));
    }
}
