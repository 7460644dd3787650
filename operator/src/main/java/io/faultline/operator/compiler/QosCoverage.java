package io.faultline.operator.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.Target;

/**
 * How a QoS profile maps onto a session's targets, and what it cannot do there. On tcp targets every field acts on
 * the bytes. On http targets the sidecar parses each request, so the profile acts per request: latency delays each
 * request, bandwidth paces request and response bodies (slowBody) and upgraded connections (bandwidth), the
 * connection limit caps the listener. Loss has no per-request form (there are no packets to stall between parsed
 * requests; inventing one, e.g. a delay on a fraction of requests, would misstate what the profile measures), so on
 * http targets it acts only on connections upgraded to WebSocket, and the session's status says so.
 */
public final class QosCoverage {
    private QosCoverage() {
    }

    /** Names of the session's targets whose listener parses HTTP. */
    public static List<String> httpTargets(FaultSessionSpec spec) {
        List<String> names = new ArrayList<>();
        for (Target target : spec.targets) {
            if (ListenerPlan.of(target, null).protocol().equals("http")) {
                names.add(target.name);
            }
        }
        return names;
    }

    /**
     * What of profile {@code profileName} does not reach some target, one message per field; empty when the profile
     * applies in full.
     */
    public static List<String> gaps(String profileName, QoSProfileSpec qos, FaultSessionSpec spec) {
        List<String> gaps = new ArrayList<>();
        if (qos == null || spec == null || spec.targets == null) {
            return gaps;
        }
        List<String> http = httpTargets(spec);
        if (qos.loss != null && !http.isEmpty()) {
            gaps.add("QoSProfile '" + profileName + "' loss is not applied to HTTP requests on http target"
                    + (http.size() > 1 ? "s " : " ") + http.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "))
                    + ": HTTP has no per-request form of packet loss; it acts only on connections upgraded to WebSocket");
        }
        return gaps;
    }
}
