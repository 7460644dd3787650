package io.faultline.sidecar.http.h2;

import io.faultline.sidecar.fault.LatencyFault;
import io.faultline.sidecar.http.AbortFault;
import io.faultline.sidecar.http.DropFault;
import io.faultline.sidecar.http.HeadersFault;
import io.faultline.sidecar.http.HttpFault;
import io.faultline.sidecar.http.RateLimitFault;
import io.faultline.sidecar.http.RequestControlledFault;
import io.faultline.sidecar.http.ResetFault;
import io.faultline.sidecar.http.RewriteFault;
import io.faultline.sidecar.http.ServerOverloadFault;
import io.faultline.sidecar.http.SlowBodyFault;
import io.faultline.sidecar.http.TransientFault;
import java.util.Set;

/**
 * The http fault kinds that act on h2 streams: abort (a gRPC abort answers trailers-only), latency
 * (request and response phase), headers, rewrite (:method, :path), slowBody (paced DATA frames),
 * reset (RST_STREAM of the stream), drop (GOAWAY and close of the connection), rateLimit, transient
 * serverOverload and requestControlled (gRPC calls get their answers as grpc-status). Any other kind whose rule
 * matches and draws an h2 stream leaves it untouched and is counted as {@code h2UnsupportedFaults}.
 */
final class H2Faults {
    private static final Set<String> SUPPORTED = Set.of(
            AbortFault.KIND.name(), LatencyFault.KIND.name(), HeadersFault.KIND.name(), RewriteFault.KIND.name(),
            SlowBodyFault.KIND.name(), ResetFault.KIND.name(), DropFault.KIND.name(), RateLimitFault.KIND.name(),
            TransientFault.KIND.name(), ServerOverloadFault.KIND.name(), RequestControlledFault.KIND.name());

    private H2Faults() {
    }

    static boolean supported(HttpFault fault) {
        return SUPPORTED.contains(fault.kind().name());
    }

    static Set<String> names() {
        return SUPPORTED;
    }
}
