package io.faultline.sidecar.recording;

import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus-style histogram of durations with fixed bucket bounds (seconds), safe to observe
 * from every event loop at once without allocating.
 */
public final class Histogram {
    /** Upper bounds in seconds; +Inf is implied. From sub-millisecond hops to 30 s timeouts. */
    public static final double[] BOUNDS_SECONDS =
            {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];

    static {
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
        }
    }

    private final LongAdder[] buckets = new LongAdder[BOUNDS_SECONDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public Histogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public void observeNanos(long nanos) {
        long n = Math.max(0, nanos);
        int i = 0;
        while (i < BOUNDS_NANOS.length && n > BOUNDS_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(n);
    }

    /** A consistent-enough view: cumulative counts per bound (last = +Inf = count) and the sum. */
    public Snapshot snapshot() {
        long[] cumulative = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulative[i] = running;
        }
        return new Snapshot(cumulative, sumNanos.sum() / 1e9);
    }

    /** {@code cumulative[i]}: observations up to {@code BOUNDS_SECONDS[i]}; the last one is +Inf. */
    public record Snapshot(long[] cumulative, double sumSeconds) {
        public long count() {
            return cumulative[cumulative.length - 1];
        }
    }
}
