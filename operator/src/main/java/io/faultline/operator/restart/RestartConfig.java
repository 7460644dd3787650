package io.faultline.operator.restart;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How sessions with {@code restartWorkloads: true} roll workloads ({@code faultline.restart.*}). */
@ConfigMapping(prefix = "faultline.restart")
public interface RestartConfig {
    /**
     * Least time between two workload restarts, operator-wide: restarts go one workload at a time, so a session
     * selecting many workloads never rolls them all at once.
     */
    @WithDefault("30s")
    Duration minInterval();
}
