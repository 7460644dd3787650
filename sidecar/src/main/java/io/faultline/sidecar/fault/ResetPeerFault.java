package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Durations;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * resetPeer: {@code after} the fault is installed the connection is reset (TCP RST, see
 * {@link FaultContext#resetConnection}); until then data flows untouched. Toxiproxy's
 * {@code timeout} is in milliseconds (Toxiproxy starts the clock at the first chunk instead).
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
            node.allowOnly(Set.of("after"));
            return new ResetPeerFault(node.duration("after", Duration.ZERO));
        }

        @Override
        public FaultSpec fromToxiproxy(ConfigNode attributes) {
            attributes.allowOnly(Set.of("timeout"));
            return new ResetPeerFault(Duration.ofMillis(attributes.integer("timeout", 0, 0, Integer.MAX_VALUE)));
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

    static final class Handler extends ChannelDuplexHandler {
        private final long afterNanos;
        private final FaultContext context;
        private ScheduledFuture<?> reset;

        Handler(long afterNanos, FaultContext context) {
            this.afterNanos = afterNanos;
            this.context = context;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // Always through the scheduler, even for 0: never reset from inside a pipeline change.
            reset = ctx.executor().schedule(() -> {
                context.injected();
                context.resetConnection();
            }, afterNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (reset != null) {
                reset.cancel(false);
            }
        }
    }
}
