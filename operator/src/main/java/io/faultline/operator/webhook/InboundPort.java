package io.faultline.operator.webhook;

import io.faultline.crds.spec.Target;

/**
 * One app port whose inbound traffic goes through the sidecar: the sidecar's listener {@code listener} binds
 * {@code listenPort} and forwards to 127.0.0.1:{@code port}.
 *
 * @param portName the container port's name, or null
 * @param renamedTo explicit mode: the app's new port name (the sidecar took over {@code portName}); null otherwise
 */
public record InboundPort(String listener, String container, String portName, int port, int listenPort, String renamedTo) {

    /** As a session-less target for the compiler: a pass-through listener. */
    public Target toTarget() {
        Target target = new Target();
        target.name = listener;
        target.port = port;
        target.listenPort = listenPort;
        return target;
    }
}
