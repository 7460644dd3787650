package io.faultline.operator.webhook;

import java.util.Set;

/**
 * The labels and annotations the injection webhook reads and writes. Reads: the namespace label
 * {@code faultline.io/injection=enabled} and the pod annotation {@code faultline.io/inject} ("true" opts a pod in,
 * "false" opts it out, whatever its namespace says), plus per-pod overrides. Writes: {@code faultline.io/status} (what
 * was injected, JSON), {@code faultline.io/injected: "true"} (what the operator's {@code SidecarPods} recognises) and
 * {@code faultline.io/initial-config} (the ProxyConfig the sidecar starts with, mounted through the downward API).
 */
public final class InjectionAnnotations {
    public static final String NAMESPACE_LABEL = "faultline.io/injection";
    public static final String NAMESPACE_LABEL_ENABLED = "enabled";
    /** On a namespace: never injected, and the webhook is not even called for its pods (the chart's namespaceSelector). */
    public static final String NAMESPACE_LABEL_DISABLED = "disabled";

    public static final String INJECT = "faultline.io/inject";
    public static final String STATUS = "faultline.io/status";
    public static final String INITIAL_CONFIG = "faultline.io/initial-config";

    /** explicit | transparent: overrides the operator's default interception mode for this pod. */
    public static final String INTERCEPTION = "faultline.io/interception";
    /** Comma-separated container port names or numbers whose inbound traffic goes through the sidecar; "none" for none. */
    public static final String INBOUND_PORTS = "faultline.io/inbound-ports";
    /** Comma-separated outbound listeners, each NAME=LISTEN_PORT=[tcp|http|tls://]HOST:PORT. */
    public static final String OUTBOUND = "faultline.io/outbound";
    /**
     * Comma-separated names of {@link #OUTBOUND} listeners whose destination port is redirected to the listener
     * (transparent mode only): the app keeps dialling HOST:PORT and its connections to PORT reach the sidecar.
     */
    public static final String OUTBOUND_REDIRECT = "faultline.io/outbound-redirect";
    /** "true" / "false": overrides the native sidecar setting for this pod. */
    public static final String NATIVE_SIDECAR = "faultline.io/native-sidecar";

    public static final String SIDECAR_IMAGE = "faultline.io/sidecar-image";
    public static final String SIDECAR_CPU_REQUEST = "faultline.io/sidecar-cpu-request";
    public static final String SIDECAR_MEMORY_REQUEST = "faultline.io/sidecar-memory-request";
    public static final String SIDECAR_CPU_LIMIT = "faultline.io/sidecar-cpu-limit";
    public static final String SIDECAR_MEMORY_LIMIT = "faultline.io/sidecar-memory-limit";

    /** Namespaces never injected, whatever their labels say (the operator's own namespace is added to these). */
    public static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease");

    private InjectionAnnotations() {
    }
}
