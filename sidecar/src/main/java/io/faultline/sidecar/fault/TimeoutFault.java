package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Durations;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * timeout: from the moment the fault is installed nothing more is forwarded (bytes are discarded;
 * removing the fault then closes the connection, see {@link DiscardingHandler}), and the
 * connection is closed {@code after} later; 0 = never closed. Toxiproxy's {@code timeout} is in milliseconds. Unlike Toxiproxy (whose timer restarts
 * on every chunk), the close comes {@code after} the install, whatever the traffic. Each discarded
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
            node.allowOnly(Set.of("after"));
            return new TimeoutFault(node.duration("after", null));
        }

        @Override
        public FaultSpec fromToxiproxy(ConfigNode attributes) {
            attributes.allowOnly(Set.of("timeout"));
            return new TimeoutFault(Duration.ofMillis(attributes.integer("timeout", 0, 0, Integer.MAX_VALUE)));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("after", Durations.format(after));
    }

    @Override
    public ObjectNode toToxiproxy() {
        return JsonNodeFactory.instance.objectNode().put("timeout", after.toMillis());
    }

    @Override
    public ChannelHandler newHandler(FaultContext context) {
        return new Handler(after.toNanos(), context);
    }

    static final class Handler extends DiscardingHandler {
        private final long afterNanos;
        private ScheduledFuture<?> closer;

        Handler(long afterNanos, FaultContext context) {
            super(context);
            this.afterNanos = afterNanos;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            if (afterNanos > 0) {
                closer = ctx.executor().schedule(() -> {
                    context.injected();
                    context.closeConnection();
                }, afterNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        protected void discarded(ByteBuf buf) {
            context.injected();
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
