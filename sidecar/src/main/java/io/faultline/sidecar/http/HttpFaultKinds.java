package io.faultline.sidecar.http;

import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.LatencyFault;
import java.util.List;

/** The http fault kinds, registered by name in {@link io.faultline.sidecar.fault.FaultKinds}. */
public final class HttpFaultKinds {
    public static final List<FaultKind> ALL = List.of(
            AbortFault.KIND, HeadersFault.KIND, RateLimitFault.KIND, TransientFault.KIND,
            DropFault.KIND, ResetFault.KIND, ServerOverloadFault.KIND, BodyFault.KIND,
            RequestControlledFault.KIND, SlowBodyFault.KIND, RewriteFault.KIND);

    private HttpFaultKinds() {
    }

    /** Whether the kind works on http listeners (latency works on both). */
    public static boolean isHttp(FaultKind kind) {
        return ALL.contains(kind) || kind == LatencyFault.KIND;
    }
}
