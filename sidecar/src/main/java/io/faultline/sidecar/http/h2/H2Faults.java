package io.faultline.sidecar.http.h2;

import io.faultline.sidecar.fault.LatencyFault;
import io.faultline.sidecar.http.AbortFault;
import io.faultline.sidecar.http.HeadersFault;
import io.faultline.sidecar.http.HttpFault;
import java.util.Set;

/**
 * The http fault kinds that act on h2 streams: abort (a gRPC abort answers trailers-only), latency
 * (request and response phase) and headers. Any other kind whose rule matches and draws an h2
 * stream leaves it untouched and is counted as {@code h2UnsupportedFaults}.
 */
final class H2Faults {
    private static final Set<String> SUPPORTED = Set.of(
            AbortFault.KIND.name(), LatencyFault.KIND.name(), HeadersFault.KIND.name());

    private H2Faults() {
    }

    static boolean supported(HttpFault fault) {
        return SUPPORTED.contains(fault.kind().name());
    }

    static Set<String> names() {
        return SUPPORTED;
    }
}
