package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;

/**
 * down (a blackhole): the stream is accepted and discarded; the connection stays open. Not a
 * Toxiproxy type: the Toxiproxy API takes and shows it in the native form ({@code {}}).
 * Discarded bytes are not flushed when the fault is removed, and a connection that lost bytes is
 * closed then (see {@link DiscardingHandler}).
 */
public record DownFault() implements FaultSpec {

    public static final FaultKind KIND = FaultKind.withoutFields("down", new DownFault());

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode();
    }

    @Override
    public ChannelHandler newHandler(FaultContext context) {
        return new Handler(context);
    }

    static final class Handler extends DiscardingHandler {
        Handler(FaultContext context) {
            super(context);
        }

        @Override
        protected void discarded(ByteBuf buf) {
            context.injected();
        }
    }
}
