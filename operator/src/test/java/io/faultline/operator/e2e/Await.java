package io.faultline.operator.e2e;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds, failing with a description of what was awaited and the last observation. */
final class Await {
    private Await() {
    }

    static void until(String what, Duration timeout, Supplier<Boolean> condition, Supplier<Object> observation) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
                lastError = null;
            } catch (RuntimeException e) {
                lastError = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while awaiting " + what);
            }
        }
        Object observed;
        try {
            observed = observation.get();
        } catch (RuntimeException e) {
            observed = e;
        }
        throw new AssertionError("timed out after " + timeout + " awaiting " + what + "; last observed: " + observed
                + (lastError == null ? "" : "; last error: " + lastError));
    }
}
