package io.faultline.operator.webhook;

import io.faultline.crds.spec.Target;

/**
 * One outbound listener declared by the pod ({@code faultline.io/outbound}): the sidecar listens on
 * 127.0.0.1:{@code listenPort} and forwards to the mapping's upstream; every app container gets {@code env} =
 * {@code 127.0.0.1:<listenPort>} so it can be pointed there.
 */
public record OutboundListener(String name, String mapping, int listenPort, String env) {

    public Target toTarget() {
        Target target = new Target();
        target.name = name;
        target.mapping = mapping;
        return target;
    }
}
