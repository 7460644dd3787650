package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandler;

/**
 * The immutable, validated configuration of one fault. Each fault type is one file holding its
 * spec record, its {@link FaultKind} and its handler; records give value equality, which is how a
 * live reconfiguration tells an unchanged rule (kept, with what it holds) from a changed one.
 */
public interface FaultSpec {
    FaultKind kind();

    /** The native ProxyConfig form, e.g. {@code {"fixed":"200ms","jitter":"50ms"}}. */
    ObjectNode toJson();

    /** Toxiproxy attributes (its units and names); kinds Toxiproxy lacks use the native form. */
    default ObjectNode toToxiproxy() {
        return toJson();
    }

    /**
     * Whether the fault acts once per connection on the client's first bytes (first in the client's
     * pipeline, ahead of TLS termination) instead of on a stream's write path; {@code stream} does not apply.
     */
    default boolean actsOnClientHello() {
        return false;
    }

    /** A new handler for one stream of one connection; it sits on the write path toward the receiver. */
    ChannelHandler newHandler(FaultContext context);

    /**
     * Whether, when a rule changes only in this fault's settings (same kind, same stream, probability
     * and match), an open connection's handler of {@code previous} hands what it counted so far to
     * the new one ({@link #newHandler(FaultContext, ChannelHandler)}) instead of starting afresh.
     */
    default boolean continuesFrom(FaultSpec previous) {
        return false;
    }

    /** The handler replacing {@code previous} on a connection; only called when {@link #continuesFrom} said so. */
    default ChannelHandler newHandler(FaultContext context, ChannelHandler previous) {
        return newHandler(context);
    }
}
