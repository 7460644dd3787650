package io.faultline.operator.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Operator settings ({@code faultline.*} in application.properties or FAULTLINE_* environment variables). */
@ConfigMapping(prefix = "faultline")
public interface FaultlineConfig {

    /**
     * Global kill switch: when true, every sidecar the operator controls gets its rules removed (listeners stay, traffic
     * passes untouched) and every session reports phase Paused with reason KillSwitch. Per namespace, annotate the
     * namespace with {@code faultline.io/kill-switch: "true"} instead.
     */
    @WithDefault("false")
    boolean killSwitch();

    Sidecar sidecar();

    /** How long a deleted session waits for unreachable sidecars before its finalizer gives up (their expiresAt remains). */
    @WithDefault("60s")
    Duration cleanupTimeout();

    interface Sidecar {
        /** Bearer token for the sidecars' admin API, inline (e.g. from a Secret through an environment variable). */
        Optional<String> token();

        /** File holding the bearer token (e.g. a mounted Secret); used when token is not set. */
        Optional<String> tokenFile();

        /** Admin port used when a pod has no {@code faultline.io/admin-port} annotation. */
        @WithDefault("15000")
        int defaultAdminPort();

        /** How many sidecars are pushed to at the same time, across all namespaces (threads, released when idle). */
        @WithDefault("64")
        int pushConcurrency();

        /** Attempts per push before a pod is reported Unreachable. */
        @WithDefault("3")
        int pushAttempts();

        /** Delay before the second attempt; doubles for each further attempt. */
        @WithDefault("200ms")
        Duration retryBackoff();

        /** Connect and request timeout for one call to a sidecar. */
        @WithDefault("2s")
        Duration requestTimeout();

        /** How long a confirmed version is trusted before the sidecar is asked again (catches sidecar restarts). */
        @WithDefault("30s")
        Duration verifyInterval();

        /** How soon a session with unreachable pods is reconciled again. */
        @WithDefault("5s")
        Duration unreachableRetry();
    }
}
