package io.faultline.operator.webhook;

import java.util.List;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.TCPSocketAction;

/**
 * Explicit inbound interception in the app container: its port {@code http} becomes {@code app-8080} (the sidecar now
 * declares {@code http} on its listener port, so a Service's {@code targetPort: http} reaches the sidecar). Kubelet
 * resolves a probe's named port among the probed container's own ports, so probes and lifecycle hooks naming the old
 * port are switched to its number: kubelet keeps reaching the app directly, never through the sidecar's faults.
 */
final class ExplicitPorts {
    private ExplicitPorts() {
    }

    static void takeOver(Container container, InboundPort port) {
        for (ContainerPort declared : container.getPorts()) {
            if (port.portName().equals(declared.getName()) && declared.getContainerPort() == port.port()) {
                declared.setName(port.renamedTo());
            }
        }
        for (Probe probe : new Probe[] {container.getLivenessProbe(), container.getReadinessProbe(), container.getStartupProbe()}) {
            if (probe != null) {
                rewrite(probe.getHttpGet(), port);
                rewrite(probe.getTcpSocket(), port);
            }
        }
        if (container.getLifecycle() != null) {
            for (LifecycleHandler handler : List.of(orEmpty(container.getLifecycle().getPostStart()),
                    orEmpty(container.getLifecycle().getPreStop()))) {
                rewrite(handler.getHttpGet(), port);
                rewrite(handler.getTcpSocket(), port);
            }
        }
    }

    private static LifecycleHandler orEmpty(LifecycleHandler handler) {
        return handler == null ? new LifecycleHandler() : handler;
    }

    private static void rewrite(HTTPGetAction action, InboundPort port) {
        if (action != null && names(action.getPort(), port)) {
            action.setPort(new IntOrString(port.port()));
        }
    }

    private static void rewrite(TCPSocketAction action, InboundPort port) {
        if (action != null && names(action.getPort(), port)) {
            action.setPort(new IntOrString(port.port()));
        }
    }

    private static boolean names(IntOrString value, InboundPort port) {
        return value != null && value.getStrVal() != null && value.getStrVal().equals(port.portName());
    }
}
