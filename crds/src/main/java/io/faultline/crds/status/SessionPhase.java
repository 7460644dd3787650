package io.faultline.crds.status;

/** Lifecycle phase of a FaultSession. */
public enum SessionPhase {
    /** Waiting for schedule.startAt. */
    Pending,
    /** Faults are (being) applied to the selected pods. */
    Active,
    /** spec.paused or the kill switch: faults removed, session kept. */
    Paused,
    /** schedule.duration has passed: faults removed. */
    Expired,
    /** The spec cannot be applied (see the Ready condition); sidecars keep what they had. */
    Failed
}
