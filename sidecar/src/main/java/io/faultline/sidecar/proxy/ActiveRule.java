package io.faultline.sidecar.proxy;

import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.engine.RuleStats;

/** A rule in force on a listener, with the counters it reports to. */
public record ActiveRule(RuleSpec spec, RuleStats stats) {
}
