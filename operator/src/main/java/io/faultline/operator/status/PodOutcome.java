package io.faultline.operator.status;

import io.faultline.crds.status.PodState;

/** What happened to one selected pod in a reconcile: its state, the version its sidecar reports, and why not. */
public record PodOutcome(String podName, PodState state, String configVersion, String message) {
}
