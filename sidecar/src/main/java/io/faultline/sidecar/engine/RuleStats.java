package io.faultline.sidecar.engine;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one rule: connections it was applied to, and individual injections. */
public final class RuleStats {
    public final LongAdder connections = new LongAdder();
    public final LongAdder injected = new LongAdder();
}
