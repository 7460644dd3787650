package io.faultline.operator.restart;

/** A Deployment, StatefulSet or DaemonSet: the workloads a rollout restart can renew the pods of. */
public record Workload(Kind kind, String namespace, String name) {

    public enum Kind {
        Deployment, StatefulSet, DaemonSet
    }

    @Override
    public String toString() {
        return kind + " " + name;
    }
}
