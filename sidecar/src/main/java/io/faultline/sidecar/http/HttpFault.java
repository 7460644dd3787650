package io.faultline.sidecar.http;

import io.faultline.sidecar.fault.FaultContext;
import io.faultline.sidecar.fault.FaultSpec;
import io.netty.channel.ChannelHandler;

/**
 * A fault that acts per request on http listeners. It is called once for each request its rule
 * matched and drew (probability), before the request goes anywhere, and says what happens to that
 * request through the {@link HttpExchange}. Most are http-only; {@link #worksOnTcp} says otherwise.
 */
public interface HttpFault extends FaultSpec {
    void onRequest(HttpExchange exchange);

    /** Whether the fault also has a byte-stream form for tcp listeners ({@link #newHandler}). */
    default boolean worksOnTcp() {
        return false;
    }

    @Override
    default ChannelHandler newHandler(FaultContext context) {
        // Unreachable: the engine refuses http-only faults on tcp listeners.
        throw new UnsupportedOperationException(kind().name() + " works on http listeners only");
    }
}
