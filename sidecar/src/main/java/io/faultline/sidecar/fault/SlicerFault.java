package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Durations;
import io.faultline.sidecar.config.Sizes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import java.time.Duration;
import java.util.Set;

/**
 * slicer: cuts each chunk into slices of {@code averageSize ± sizeVariation} bytes (drawn evenly),
 * with {@code delay} between consecutive slices. Toxiproxy's {@code delay} is in microseconds.
 */
public record SlicerFault(long averageSize, long sizeVariation, Duration delay) implements FaultSpec {
    static final int MAX_SIZE = 1 << 30;

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "slicer";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("averageSize", "sizeVariation", "delay"));
            return checked(node, "averageSize", "sizeVariation",
                    node.size("averageSize", null),
                    node.size("sizeVariation", 0L),
                    node.duration("delay", Duration.ZERO));
        }

        @Override
        public FaultSpec fromToxiproxy(ConfigNode attributes) {
            attributes.allowOnly(Set.of("average_size", "size_variation", "delay"));
            return checked(attributes, "average_size", "size_variation",
                    attributes.integer("average_size", 0, 0, MAX_SIZE),
                    attributes.integer("size_variation", 0, 0, MAX_SIZE),
                    Duration.ofNanos(attributes.integer("delay", 0, 0, Long.MAX_VALUE / 1000) * 1000));
        }

        private FaultSpec checked(ConfigNode node, String averageField, String variationField,
                                  long average, long variation, Duration delay) {
            if (average < 1 || average > MAX_SIZE) {
                throw node.error(averageField, average + " is out of range; expected 1 byte to 1GiB");
            }
            if (variation >= average) {
                throw node.error(variationField, variation + " must be less than the average size (" + average + ")");
            }
            return new SlicerFault(average, variation, delay);
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode()
                .put("averageSize", Sizes.formatSize(averageSize))
                .put("sizeVariation", Sizes.formatSize(sizeVariation))
                .put("delay", Durations.format(delay));
    }

    @Override
    public ObjectNode toToxiproxy() {
        return JsonNodeFactory.instance.objectNode()
                .put("average_size", averageSize)
                .put("size_variation", sizeVariation)
                .put("delay", delay.toNanos() / 1000);
    }

    @Override
    public ChannelHandler newHandler(FaultContext context) {
        return new Handler(this, context);
    }

    /** Slice {@code i} of the stream leaves {@code delay} after slice {@code i - 1}, across chunk boundaries too. */
    static final class Handler extends HoldingHandler {
        private final int average;
        private final int variation;
        private final long delayNanos;
        private final FaultContext context;
        private long nextSliceAt = Long.MIN_VALUE;

        Handler(SlicerFault spec, FaultContext context) {
            this.average = (int) spec.averageSize;
            this.variation = (int) spec.sizeVariation;
            this.delayNanos = spec.delay.toNanos();
            this.context = context;
        }

        @Override
        protected void onData(ByteBuf buf, ChannelPromise promise) {
            long at = Math.max(now(), nextSliceAt);
            boolean split = false;
            while (true) {
                int size = variation == 0 ? average : average - variation + context.random().nextInt(2 * variation + 1);
                nextSliceAt = at + delayNanos;
                if (buf.readableBytes() <= size) {
                    hold(buf, at, promise);
                    return;
                }
                if (!split) {
                    split = true;
                    context.injected();
                }
                hold(buf.readRetainedSlice(size), at, ctx.newPromise());
                at = nextSliceAt;
            }
        }
    }
}
