package io.faultline.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Pod;

/** Deployments of the test app, their pods, and real traffic through their sidecars. */
final class Workloads {
    private final Cluster cluster;
    private final AppServer app;

    Workloads(Cluster cluster, AppServer app) {
        this.cluster = cluster;
        this.app = app;
    }

    /** The sidecar listener of the app's port, as the webhook and the operator derive it (port + 10000, or - 10000). */
    int listenPort() {
        return app.port() + 10000 > 65535 ? app.port() - 10000 : app.port() + 10000;
    }

    int appPort() {
        return app.port();
    }

    void deploy(String namespace, String name, int replicas, Map<String, String> podAnnotations) {
        StringBuilder annotations = new StringBuilder();
        podAnnotations.forEach((k, v) -> annotations.append(k).append(": \"").append(v).append("\", "));
        cluster.apply("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s, namespace: %s}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: %s}}
                  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
                  template:
                    metadata:
                      labels: {app: %s}
                      annotations: {%s}
                    spec:
                      containers:
                        - name: app
                          image: example/%s:1
                          ports: [{name: http, containerPort: %d}]
                """.formatted(name, namespace, replicas, name, name, annotations, name, app.port()));
    }

    /** The live (not terminating) pods with label app=NAME. */
    List<Pod> pods(String namespace, String app) {
        return cluster.admin.pods().inNamespace(namespace).withLabel("app", app).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    static boolean injected(Pod pod) {
        return pod.getSpec().getContainers().stream().anyMatch(c -> "faultline-sidecar".equals(c.getName()));
    }

    static boolean running(Pod pod) {
        return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase()) && pod.getStatus().getPodIP() != null;
    }

    /** Waits for exactly {@code count} running pods, all injected (or none, with {@code injected} false). */
    List<Pod> awaitRunning(String namespace, String app, int count, boolean injected) {
        Cluster.await(count + " running pods of " + namespace + "/" + app + (injected ? " with" : " without") + " the sidecar",
                Duration.ofMinutes(3), () -> {
                    List<Pod> pods = pods(namespace, app);
                    return pods.size() == count && pods.stream().allMatch(p -> running(p) && injected(p) == injected);
                }, () -> describe(namespace, app));
        return pods(namespace, app);
    }

    String describe(String namespace, String app) {
        return pods(namespace, app).stream().map(p -> p.getMetadata().getName() + "[" + (p.getStatus() == null ? "" : p.getStatus().getPhase())
                + " ip=" + (p.getStatus() == null ? null : p.getStatus().getPodIP()) + " injected=" + injected(p) + "]")
                .collect(Collectors.joining(", ")) + " kubelet errors: " + cluster.kubelet.errors();
    }

    /** One request through each pod's sidecar listener; the HTTP statuses (-1: no answer). */
    List<Integer> statuses(String namespace, String app) {
        return pods(namespace, app).stream().filter(Workloads::running)
                .map(p -> Http.get(p.getStatus().getPodIP(), listenPort(), "/checkout").status()).toList();
    }

    /** Waits until every pod's sidecar answers {@code status} (200: the app's own answer, untouched). */
    void awaitTraffic(String namespace, String app, int status) {
        Cluster.await("every " + app + " pod to answer " + status + " through its sidecar", Duration.ofMinutes(2), () -> {
            List<Integer> statuses = statuses(namespace, app);
            return !statuses.isEmpty() && statuses.stream().allMatch(s -> s == status);
        }, () -> "statuses " + statuses(namespace, app) + " of " + describe(namespace, app));
    }
}
