package io.faultline.operator.restart;

/**
 * The workload that owns a pod, or why none can be restarted.
 *
 * @param workload null when {@code whyNone} says why there is none
 */
public record WorkloadOwner(Workload workload, String whyNone) {

    static WorkloadOwner of(Workload workload) {
        return new WorkloadOwner(workload, null);
    }

    static WorkloadOwner none(String why) {
        return new WorkloadOwner(null, why);
    }
}
