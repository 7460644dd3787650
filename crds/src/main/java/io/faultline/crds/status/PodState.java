package io.faultline.crds.status;

/** Where one selected pod stands. */
public enum PodState {
    /** The sidecar reports the desired config version. */
    Configured,
    /** The pod has no Faultline sidecar (yet). */
    AwaitingInjection,
    /**
     * The pod has its sidecar but does not run yet (no IP, or the sidecar container is not running): nothing to push to,
     * and nothing wrong; it is configured as soon as it runs (until then its sidecar has only the config it got at
     * admission).
     */
    Starting,
    /** The sidecar could not be reached (no pod IP, connection refused, timeout) or refused the config. */
    Unreachable
}
