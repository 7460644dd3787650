package io.faultline.operator.sidecar;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * How the operator recognises injected pods and reaches their sidecar.
 * <ul>
 * <li>Injected: the pod has a container or a (native sidecar) init container named {@code faultline-sidecar}, or the
 * annotation {@code faultline.io/injected: "true"}.</li>
 * <li>Admin API: {@code http://<status.podIP>:<port>}, port from the annotation {@code faultline.io/admin-port},
 * default 15000 (setting {@code faultline.sidecar.default-admin-port}).</li>
 * <li>Listen host: the annotation {@code faultline.io/listen-host} overrides where the sidecar's listeners bind
 * (default 0.0.0.0 inbound, 127.0.0.1 outbound), e.g. to bind only the pod IP.</li>
 * </ul>
 */
public final class SidecarPods {
    public static final String SIDECAR_CONTAINER = "faultline-sidecar";
    public static final String INJECTED_ANNOTATION = "faultline.io/injected";
    public static final String ADMIN_PORT_ANNOTATION = "faultline.io/admin-port";
    public static final String LISTEN_HOST_ANNOTATION = "faultline.io/listen-host";

    private SidecarPods() {
    }

    public static boolean isInjected(Pod pod) {
        if ("true".equals(annotations(pod).get(INJECTED_ANNOTATION))) {
            return true;
        }
        return pod.getSpec() != null && (hasSidecar(pod.getSpec().getContainers()) || hasSidecar(pod.getSpec().getInitContainers()));
    }

    /** Native sidecars (Kubernetes 1.29+) are init containers with restartPolicy Always. */
    private static boolean hasSidecar(List<Container> containers) {
        return containers != null && containers.stream().anyMatch(c -> SIDECAR_CONTAINER.equals(c.getName()));
    }

    /** True for pods that are going away or finished: they are neither selected nor configured. */
    public static boolean isGone(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return true;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** The sidecar's admin base URI, or empty while the pod has no IP. */
    public static Optional<String> adminBaseUri(Pod pod, int defaultPort) {
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip == null || ip.isBlank()) {
            return Optional.empty();
        }
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        return Optional.of("http://" + host + ":" + adminPort(pod, defaultPort));
    }

    public static int adminPort(Pod pod, int defaultPort) {
        String value = annotations(pod).get(ADMIN_PORT_ANNOTATION);
        if (value == null) {
            return defaultPort;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("annotation " + ADMIN_PORT_ANNOTATION + "='" + value + "' is not a port 1..65535");
    }

    /**
     * Which incarnation of the sidecar container runs: restart count and container ID, from initContainerStatuses (a
     * native sidecar: an init container with restartPolicy Always) or containerStatuses. A new incarnation has lost its
     * config. Empty when the kubelet has not reported the container yet.
     */
    public static String sidecarInstance(Pod pod) {
        if (pod.getStatus() == null) {
            return "";
        }
        return Stream.of(pod.getStatus().getInitContainerStatuses(), pod.getStatus().getContainerStatuses())
                .filter(Objects::nonNull)
                .flatMap(List::stream)
                .filter(status -> SIDECAR_CONTAINER.equals(status.getName()))
                .map(status -> status.getRestartCount() + "/" + status.getContainerID())
                .collect(Collectors.joining(","));
    }

    /**
     * False while the kubelet reports the sidecar container (classic or native) as not running (waiting, or
     * terminated): there is nothing to push to yet. True when it runs, or when no status is reported for it.
     */
    public static boolean sidecarRunning(Pod pod) {
        if (pod.getStatus() == null) {
            return true;
        }
        return Stream.of(pod.getStatus().getInitContainerStatuses(), pod.getStatus().getContainerStatuses())
                .filter(Objects::nonNull)
                .flatMap(List::stream)
                .filter(status -> SIDECAR_CONTAINER.equals(status.getName()))
                .allMatch(status -> status.getState() == null || status.getState().getRunning() != null);
    }

    public static String listenHost(Pod pod) {
        return annotations(pod).get(LISTEN_HOST_ANNOTATION);
    }

    private static Map<String, String> annotations(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }
}
