package io.faultline.sidecar.engine;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Counters of one rule: connections it was applied to, requests it matched (http), and individual
 * injections; plus state shared by every connection (rate-limit buckets...).
 */
public final class RuleStats {
    public final LongAdder connections = new LongAdder();
    public final LongAdder matched = new LongAdder();
    public final LongAdder injected = new LongAdder();
    private final AtomicReference<Shared> shared = new AtomicReference<>();

    private record Shared(Object owner, Object state) {
    }

    /**
     * State shared across connections and event loops for this rule, created on first use and
     * created afresh when {@code owner} (the fault's config) changes; the state must be thread-safe.
     */
    @SuppressWarnings("unchecked")
    public <S> S sharedState(Object owner, Supplier<S> create) {
        while (true) {
            Shared s = shared.get();
            if (s != null && s.owner().equals(owner)) {
                return (S) s.state();
            }
            Shared fresh = new Shared(owner, create.get());
            if (shared.compareAndSet(s, fresh)) {
                return (S) fresh.state();
            }
        }
    }
}
