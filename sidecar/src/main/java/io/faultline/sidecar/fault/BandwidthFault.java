package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Sizes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import java.util.Set;

/**
 * bandwidth: bytes leave at {@code rate} bytes per second; rate 0 stalls the stream until the
 * rule is removed (then everything held flows on). Toxiproxy's {@code rate} is in KB/s (1000 bytes).
 */
public record BandwidthFault(long bytesPerSecond) implements FaultSpec {
    static final long TOXIPROXY_KB = 1000;

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "bandwidth";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("rate"));
            return new BandwidthFault(node.rate("rate", null));
        }

        @Override
        public FaultSpec fromToxiproxy(ConfigNode attributes) {
            attributes.allowOnly(Set.of("rate"));
            return new BandwidthFault(attributes.integer("rate", 0, 0, Long.MAX_VALUE / TOXIPROXY_KB) * TOXIPROXY_KB);
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("rate", Sizes.formatSize(bytesPerSecond));
    }

    /** Toxiproxy knows whole KB/s only: a rate that is not a multiple of 1000 is rounded (never to 0 from above 0). */
    @Override
    public ObjectNode toToxiproxy() {
        long kb = Math.round(bytesPerSecond / (double) TOXIPROXY_KB);
        return JsonNodeFactory.instance.objectNode().put("rate", bytesPerSecond > 0 ? Math.max(1, kb) : 0);
    }

    @Override
    public ChannelHandler newHandler(FaultContext context) {
        return new Handler(bytesPerSecond, context);
    }

    /**
     * Release times come from cumulative bytes since the stream last went idle
     * ({@code epochStart + bytes / rate}), so rounding never accumulates into drift. Big chunks are
     * cut into slices of about 10 ms of traffic so the output is smooth, not bursty.
     */
    static final class Handler extends HoldingHandler {
        static final int MIN_SLICE = 64;
        static final int MAX_SLICE = 16 * 1024;
        static final long MIN_HELD = 64 * 1024;
        private static final long NANOS_PER_SECOND = 1_000_000_000L;

        private final long rate;
        private final int sliceBytes;
        private final FaultContext context;
        private long epochStart;
        private long epochBytes;
        private boolean started;

        Handler(long rate, FaultContext context) {
            super(maxHeldBytesFor(rate));
            this.rate = rate;
            this.sliceBytes = (int) Math.max(MIN_SLICE, Math.min(MAX_SLICE, rate / 100));
            this.context = context;
        }

        /** About one second of traffic (at least 64 KiB, at most the default bound) may wait before the writer is held back. */
        static long maxHeldBytesFor(long rate) {
            return Math.max(MIN_HELD, Math.min(DEFAULT_MAX_HELD_BYTES, rate));
        }

        @Override
        protected void onData(ByteBuf buf, ChannelPromise promise) {
            context.injected();
            if (rate == 0) {
                hold(buf, NEVER, promise);
                return;
            }
            long now = now();
            if (!started || (holdsNothing() && releaseTime(epochBytes) <= now)) {
                // Idle (the sender was slower than the rate): unused time is not saved up as a burst.
                epochStart = now;
                epochBytes = 0;
                started = true;
            }
            while (buf.readableBytes() > sliceBytes) {
                epochBytes += sliceBytes;
                hold(buf.readRetainedSlice(sliceBytes), releaseTime(epochBytes), ctx.newPromise());
            }
            epochBytes += buf.readableBytes();
            hold(buf, releaseTime(epochBytes), promise);
        }

        private long releaseTime(long cumulativeBytes) {
            // Split so that bytes * 1e9 never overflows; the fraction's rounding (< 1 ns) does not accumulate.
            long whole = cumulativeBytes / rate;
            long rest = cumulativeBytes % rate;
            return epochStart + whole * NANOS_PER_SECOND + (long) (rest * (double) NANOS_PER_SECOND / rate);
        }
    }
}
