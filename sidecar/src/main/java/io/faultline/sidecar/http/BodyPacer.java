package io.faultline.sidecar.http;

import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Paces one direction of one exchange's body (slowBody): each body part is written in slices of
 * about {@value #SLICE_MILLIS} ms worth of bytes, each slice when the rate allows, scheduled on the
 * event loop. It holds one body part at a time: while {@link #busy} the caller reads nothing more, so
 * memory stays bounded by one read. When the rule leaves force (or the exchange no longer wants
 * pacing) the rest goes out at once: no byte is ever dropped. Rate 0 stalls until then.
 */
public final class BodyPacer {
    static final long SLICE_MILLIS = 20;
    private static final long STALL_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final long bytesPerSecond;
    private final EventExecutor loop;
    private final BooleanSupplier pacing;
    private final BooleanSupplier open;
    private long nextSliceNanos = Long.MIN_VALUE;
    private HttpContent pending;
    private Consumer<HttpContent> write;
    private Runnable then;
    private ScheduledFuture<?> timer;

    /**
     * @param pacing whether to keep pacing (the rule is in force and the body still goes somewhere)
     * @param open   whether the connection is still open; once it is not, what is held is released
     */
    public BodyPacer(long bytesPerSecond, EventExecutor loop, BooleanSupplier pacing, BooleanSupplier open) {
        this.bytesPerSecond = bytesPerSecond;
        this.loop = loop;
        this.pacing = pacing;
        this.open = open;
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Whether a body part is still being paced out; the caller waits for {@code then}. */
    public boolean busy() {
        return pending != null;
    }

    /**
     * Writes {@code content} (taking ownership) through {@code write}, slice by slice, then runs
     * {@code then} (at once if nothing needs waiting).
     */
    public void send(HttpContent content, Consumer<HttpContent> write, Runnable then) {
        this.pending = content;
        this.write = write;
        this.then = then;
        pump();
    }

    private void pump() {
        timer = null;
        while (pending != null) {
            if (!open.getAsBoolean()) {
                cancel();
                return;
            }
            int readable = pending.content().readableBytes();
            if (readable == 0 || !pacing.getAsBoolean()) {
                finish();
                return;
            }
            long now = loop.ticker().nanoTime();
            if (bytesPerSecond == 0) {
                timer = loop.schedule(this::pump, STALL_RECHECK_NANOS, TimeUnit.NANOSECONDS);
                return;
            }
            if (now < nextSliceNanos) {
                timer = loop.schedule(this::pump, nextSliceNanos - now, TimeUnit.NANOSECONDS);
                return;
            }
            long sliceBytes = Math.max(1, bytesPerSecond * SLICE_MILLIS / 1000);
            int slice = (int) Math.min(readable, sliceBytes);
            nextSliceNanos = Math.max(nextSliceNanos, now) + slice * 1_000_000_000L / bytesPerSecond;
            if (slice == readable) {
                finish(); // the part itself goes last: a LastHttpContent keeps its trailers
                return;
            }
            write.accept(new DefaultHttpContent(pending.content().readRetainedSlice(slice)));
        }
    }

    private void finish() {
        HttpContent rest = pending;
        Runnable next = then;
        pending = null;
        then = null;
        write.accept(rest);
        next.run();
    }

    /** Stops, releasing what is held; {@code then} does not run (the connection or the exchange is gone). */
    public void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (pending != null) {
            pending.release();
            pending = null;
            then = null;
        }
    }
}
