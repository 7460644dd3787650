package io.faultline.sidecar.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A connection's timer for a deadline that is set again on every request (idle timeout, response
 * timeout): one task stays scheduled and, when it fires before the current deadline, schedules
 * itself for the rest. Setting or clearing the deadline is a field write, not a schedule plus a
 * cancel per request (which costs a task object and queue work each time). Event loop only.
 */
final class DeadlineTimer implements Runnable {
    private final EventExecutor loop;
    private final Runnable onExpiry;
    private boolean armed;
    private long deadline;
    private ScheduledFuture<?> task;
    private long taskDue;

    DeadlineTimer(EventExecutor loop, Runnable onExpiry) {
        this.loop = loop;
        this.onExpiry = onExpiry;
    }

    boolean armed() {
        return armed;
    }

    /** {@code onExpiry} runs {@code delayNanos} from now unless disarmed or re-armed before. */
    void arm(long delayNanos) {
        long now = loop.ticker().nanoTime();
        deadline = now + delayNanos;
        armed = true;
        if (task != null && taskDue - deadline > 0) {
            task.cancel(false); // due after the new deadline (a shorter delay than before)
            task = null;
        }
        if (task == null) {
            schedule(delayNanos, now);
        }
    }

    /** No expiry until armed again; the scheduled task, if any, stays and finds nothing to do. */
    void disarm() {
        armed = false;
    }

    /** The connection ends: nothing stays scheduled. */
    void cancel() {
        armed = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        if (!armed) {
            return;
        }
        long now = loop.ticker().nanoTime();
        long left = deadline - now;
        if (left > 0) {
            schedule(left, now);
            return;
        }
        armed = false;
        onExpiry.run();
    }

    private void schedule(long delayNanos, long now) {
        taskDue = now + delayNanos;
        task = loop.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }
}
