package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Sizes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.Set;

/**
 * limitData: forwards exactly the first {@code bytes} bytes of the stream (from when the fault is
 * installed), then closes the connection once they are written; later bytes are discarded.
 * Like Toxiproxy, a limit of 0 closes the connection on the first chunk. When a live config change
 * alters only the limit, open connections keep their count: the new limit applies to the bytes
 * already forwarded (a limit they passed already closes the connection at the next chunk).
 */
public record LimitDataFault(long bytes) implements FaultSpec {

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "limitData";
        }

        @Override
        public String toxiproxyType() {
            return "limit_data";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("bytes"));
            return new LimitDataFault(node.size("bytes", null));
        }

        @Override
        public FaultSpec fromToxiproxy(ConfigNode attributes) {
            attributes.allowOnly(Set.of("bytes"));
            return new LimitDataFault(attributes.integer("bytes", 0, 0, Long.MAX_VALUE));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("bytes", Sizes.formatSize(bytes));
    }

    @Override
    public ObjectNode toToxiproxy() {
        return JsonNodeFactory.instance.objectNode().put("bytes", bytes);
    }

    @Override
    public ChannelHandler newHandler(FaultContext context) {
        return new Handler(bytes, 0, context);
    }

    @Override
    public boolean continuesFrom(FaultSpec previous) {
        return previous instanceof LimitDataFault;
    }

    @Override
    public ChannelHandler newHandler(FaultContext context, ChannelHandler previous) {
        Handler old = (Handler) previous;
        Handler next = new Handler(bytes, old.forwarded, context);
        next.closing = old.closing;
        return next;
    }

    static final class Handler extends ChannelOutboundHandlerAdapter {
        private final FaultContext context;
        private final long limit;
        /** Bytes of the stream forwarded so far, under this limit and the ones it replaced. */
        private long forwarded;
        private boolean closing;

        Handler(long limit, long forwarded, FaultContext context) {
            this.limit = limit;
            this.forwarded = forwarded;
            this.context = context;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (!(msg instanceof ByteBuf buf)) {
                ctx.write(msg, promise);
                return;
            }
            if (closing) {
                buf.release();
                promise.trySuccess();
                return;
            }
            long remaining = Math.max(0, limit - forwarded);
            if (buf.readableBytes() < remaining) {
                forwarded += buf.readableBytes();
                ctx.write(buf, promise);
                return;
            }
            // This chunk reaches the limit: forward its head, drop the rest, close once it is written.
            closing = true;
            ByteBuf head = buf.readRetainedSlice((int) remaining);
            forwarded += remaining;
            buf.release();
            promise.trySuccess();
            context.injected();
            ctx.writeAndFlush(head).addListener((ChannelFutureListener) f -> context.closeConnection());
        }
    }
}
