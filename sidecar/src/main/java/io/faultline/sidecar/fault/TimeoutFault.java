package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * timeout: from the moment the fault is installed nothing more is forwarded (bytes are discarded;
 * removing the fault then closes the connection, see {@link DiscardingHandler}), and the connection
 * is closed once the stream was silent for {@code after}: the clock starts at the install and starts
 * over at every discarded chunk, as in Toxiproxy's {@code timeout} (a peer that keeps sending is
 * never closed). 0 = never closed. Toxiproxy's {@code timeout} is in milliseconds. Each discarded
 * chunk and the close count as injections.
 */
public record TimeoutFault(Duration after) implements FaultSpec {

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "timeout";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            return new TimeoutFault(AfterTimeout.parse(node, null));
        }

        @Override
        public FaultSpec fromToxiproxy(ConfigNode attributes) {
            return new TimeoutFault(AfterTimeout.fromToxiproxy(attributes));
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

    static final class Handler extends DiscardingHandler {
        private final long afterNanos;
        private ChannelHandlerContext ctx;
        /** One timer for the whole wait: it re-arms itself until the stream was silent for afterNanos. */
        private ScheduledFuture<?> closer;
        private long silentSince;

        Handler(long afterNanos, FaultContext context) {
            super(context);
            this.afterNanos = afterNanos;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            if (afterNanos > 0) {
                silentSince = ctx.executor().ticker().nanoTime();
                scheduleCheck(afterNanos);
            }
        }

        private void scheduleCheck(long delayNanos) {
            closer = ctx.executor().schedule(() -> {
                long left = silentSince + afterNanos - ctx.executor().ticker().nanoTime();
                if (left > 0) {
                    scheduleCheck(left);
                    return;
                }
                context.injected();
                context.closeConnection();
            }, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        protected void discarded(ByteBuf buf) {
            context.injected();
            if (ctx != null) {
                silentSince = ctx.executor().ticker().nanoTime();
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (closer != null) {
                closer.cancel(false);
            }
            super.handlerRemoved(ctx);
        }
    }
}
