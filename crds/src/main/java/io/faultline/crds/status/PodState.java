package io.faultline.crds.status;

/** Where one selected pod stands. */
public enum PodState {
    /** The sidecar reports the desired config version. */
    Configured,
    /** The pod has no Faultline sidecar (yet). */
    AwaitingInjection,
    /** The sidecar could not be reached (no pod IP, connection refused, timeout) or refused the config. */
    Unreachable
}
