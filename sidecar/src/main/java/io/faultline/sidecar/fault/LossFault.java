package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Durations;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import java.time.Duration;
import java.util.Set;

/**
 * loss, as a stream proxy can honestly show it: each chunk, with {@code probability}, is "lost"
 * and waits {@code stall} as a TCP retransmission would, and everything behind it waits too (order
 * is kept). Bytes are never dropped or altered. Not a Toxiproxy type: the Toxiproxy API takes and
 * shows it in the native form.
 */
public record LossFault(double probability, Duration stall) implements FaultSpec {
    public static final Duration DEFAULT_STALL = Duration.ofMillis(200);

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "loss";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("probability", "stall"));
            if (!node.has("probability")) {
                throw node.error("probability", "required; expected a number between 0.0 and 1.0");
            }
            return new LossFault(node.number("probability", 0, 0.0, 1.0), node.duration("stall", DEFAULT_STALL));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode()
                .put("probability", probability)
                .put("stall", Durations.format(stall));
    }

    @Override
    public ChannelHandler newHandler(FaultContext context) {
        return new Handler(this, context);
    }

    static final class Handler extends HoldingHandler {
        private final double probability;
        private final long stallNanos;
        private final FaultContext context;

        Handler(LossFault spec, FaultContext context) {
            this.probability = spec.probability;
            this.stallNanos = spec.stall.toNanos();
            this.context = context;
        }

        @Override
        protected void onData(ByteBuf buf, ChannelPromise promise) {
            if (probability > 0 && context.random().nextDouble() < probability) {
                context.injected();
                // The stall starts when the chunk would otherwise have left (behind earlier stalls).
                hold(buf, Math.max(now(), lastReleaseAt()) + stallNanos, promise);
            } else {
                forward(buf, promise);
            }
        }
    }
}
