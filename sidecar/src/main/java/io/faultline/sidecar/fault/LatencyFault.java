package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Durations;
import io.faultline.sidecar.http.HttpExchange;
import io.faultline.sidecar.http.HttpFault;
import io.faultline.sidecar.http.HttpPhase;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import java.time.Duration;
import java.util.Set;

/**
 * latency: on tcp listeners every chunk waits fixed ± jitter (drawn from a distribution) before it
 * goes on, order kept; on http listeners each selected request waits once, before it is forwarded
 * ({@code phase: request}, the default there) or before its response's first byte ({@code response}).
 * {@code phase} is null on tcp rules.
 */
public record LatencyFault(Duration fixed, Duration jitter, LatencyDistribution distribution, HttpPhase phase)
        implements HttpFault {

    public LatencyFault(Duration fixed, Duration jitter, LatencyDistribution distribution) {
        this(fixed, jitter, distribution, null);
    }

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "latency";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("fixed", "jitter", "distribution", "phase"));
            return new LatencyFault(
                    node.duration("fixed", null),
                    node.duration("jitter", Duration.ZERO),
                    node.enumValue("distribution", LatencyDistribution.class, LatencyDistribution.UNIFORM),
                    node.enumValue("phase", HttpPhase.class, null));
        }

        @Override
        public FaultSpec fromToxiproxy(ConfigNode attributes) {
            attributes.allowOnly(Set.of("latency", "jitter"));
            return new LatencyFault(
                    Duration.ofMillis(attributes.integer("latency", 0, 0, Integer.MAX_VALUE)),
                    Duration.ofMillis(attributes.integer("jitter", 0, 0, Integer.MAX_VALUE)),
                    LatencyDistribution.UNIFORM);
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode()
                .put("fixed", Durations.format(fixed))
                .put("jitter", Durations.format(jitter))
                .put("distribution", distribution.toString());
        if (phase != null) {
            n.put("phase", phase.toString());
        }
        return n;
    }

    @Override
    public ObjectNode toToxiproxy() {
        return JsonNodeFactory.instance.objectNode()
                .put("latency", fixed.toMillis())
                .put("jitter", jitter.toMillis());
    }

    @Override
    public ChannelHandler newHandler(FaultContext context) {
        return new Handler(this, context);
    }

    @Override
    public boolean worksOnTcp() {
        return true;
    }

    /** http listeners: one delay per selected request, in the configured phase. */
    @Override
    public void onRequest(HttpExchange exchange) {
        long delay = distribution.sampleNanos(exchange.random(), fixed.toNanos(), jitter.toNanos());
        exchange.injected();
        if (phase == HttpPhase.RESPONSE) {
            exchange.delayResponse(delay);
        } else {
            exchange.delayRequest(delay);
        }
    }

    static final class Handler extends HoldingHandler {
        private final long fixedNanos;
        private final long jitterNanos;
        private final LatencyDistribution distribution;
        private final FaultContext context;

        Handler(LatencyFault spec, FaultContext context) {
            this.fixedNanos = spec.fixed.toNanos();
            this.jitterNanos = spec.jitter.toNanos();
            this.distribution = spec.distribution;
            this.context = context;
        }

        @Override
        protected void onData(ByteBuf buf, ChannelPromise promise) {
            long delay = distribution.sampleNanos(context.random(), fixedNanos, jitterNanos);
            context.injected();
            hold(buf, now() + delay, promise);
        }
    }
}
