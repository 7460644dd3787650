package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Durations;
import io.faultline.sidecar.proxy.EndOfStream;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * slowClose: data flows untouched, but the end of the stream (the FIN) and a close of the
 * receiving side are held back by {@code delay}, once per stream (a close that follows the delayed
 * end goes at once). Toxiproxy's {@code delay} is in milliseconds. Removing the fault passes a held
 * end or close on at once.
 */
public record SlowCloseFault(Duration delay) implements FaultSpec {

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "slowClose";
        }

        @Override
        public String toxiproxyType() {
            return "slow_close";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("delay"));
            return new SlowCloseFault(node.duration("delay", null));
        }

        @Override
        public FaultSpec fromToxiproxy(ConfigNode attributes) {
            attributes.allowOnly(Set.of("delay"));
            return new SlowCloseFault(Duration.ofMillis(attributes.integer("delay", 0, 0, Integer.MAX_VALUE)));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("delay", Durations.format(delay));
    }

    @Override
    public ObjectNode toToxiproxy() {
        return JsonNodeFactory.instance.objectNode().put("delay", delay.toMillis());
    }

    @Override
    public ChannelHandler newHandler(FaultContext context) {
        return new Handler(delay.toNanos(), context);
    }

    static final class Handler extends ChannelDuplexHandler {
        private final long delayNanos;
        private final FaultContext context;
        private ChannelHandlerContext ctx;
        private ChannelPromise heldEnd;
        private ScheduledFuture<?> endTimer;
        private ChannelPromise heldClose;
        private ScheduledFuture<?> closeTimer;
        private boolean endDelayed;

        Handler(long delayNanos, FaultContext context) {
            this.delayNanos = delayNanos;
            this.context = context;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg != EndOfStream.INSTANCE || heldEnd != null) {
                ctx.write(msg, promise);
                return;
            }
            context.injected();
            heldEnd = promise;
            endTimer = ctx.executor().schedule(this::releaseEnd, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            if (endDelayed) {
                // The proxy closes right after the end of stream it already waited for: one delay only.
                ctx.close(promise);
                return;
            }
            if (heldClose != null) {
                // A second close while one is held: complete together with the first.
                heldClose.addListener(f -> promise.trySuccess());
                return;
            }
            context.injected();
            heldClose = promise;
            closeTimer = ctx.executor().schedule(this::releaseClose, delayNanos, TimeUnit.NANOSECONDS);
        }

        private void releaseEnd() {
            ChannelPromise end = heldEnd;
            heldEnd = null;
            endTimer = null;
            if (end != null) {
                endDelayed = true;
                ctx.writeAndFlush(EndOfStream.INSTANCE, end);
            }
        }

        private void releaseClose() {
            ChannelPromise close = heldClose;
            heldClose = null;
            closeTimer = null;
            if (close != null) {
                ctx.close(close);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // The socket is gone: nothing left to hold back.
            if (endTimer != null) {
                endTimer.cancel(false);
                endTimer = null;
            }
            if (heldEnd != null) {
                heldEnd.tryFailure(new ClosedChannelException());
                heldEnd = null;
            }
            if (closeTimer != null) {
                closeTimer.cancel(false);
            }
            releaseClose();
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (endTimer != null) {
                endTimer.cancel(false);
            }
            if (closeTimer != null) {
                closeTimer.cancel(false);
            }
            releaseEnd();
            releaseClose();
        }
    }
}
