package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * resetPeer: the connection is reset (TCP RST, see {@link FaultContext#resetConnection}) {@code after}
 * the first data chunk of its stream reached the fault, as in Toxiproxy's {@code reset_peer} (a
 * connection that stays silent is never reset; one whose fault is installed mid-traffic, at its next
 * chunk). Until the reset data flows untouched (Toxiproxy holds it back meanwhile). Toxiproxy's
 * {@code timeout} is in milliseconds.
 */
public record ResetPeerFault(Duration after) implements FaultSpec {

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "resetPeer";
        }

        @Override
        public String toxiproxyType() {
            return "reset_peer";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            return new ResetPeerFault(AfterTimeout.parse(node, Duration.ZERO));
        }

        @Override
        public FaultSpec fromToxiproxy(ConfigNode attributes) {
            return new ResetPeerFault(AfterTimeout.fromToxiproxy(attributes));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return AfterTimeout.toJson(after);
    }

    @Override
    public ObjectNode toToxiproxy() {
        return AfterTimeout.toToxiproxy(after);
    }

    @Override
    public ChannelHandler newHandler(FaultContext context) {
        return new Handler(after.toNanos(), context);
    }

    static final class Handler extends ChannelDuplexHandler {
        private final long afterNanos;
        private final FaultContext context;
        private ScheduledFuture<?> reset;

        Handler(long afterNanos, FaultContext context) {
            this.afterNanos = afterNanos;
            this.context = context;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (reset == null && msg instanceof ByteBuf data && data.isReadable()) {
                // Always through the scheduler, even for 0: never reset from inside a write.
                reset = ctx.executor().schedule(() -> {
                    context.injected();
                    context.resetConnection();
                }, afterNanos, TimeUnit.NANOSECONDS);
            }
            ctx.write(msg, promise);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (reset != null) {
                reset.cancel(false);
            }
        }
    }
}
