package io.faultline.operator.webhook;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.faultline.crds.spec.Target;

/**
 * One outbound listener declared by the pod ({@code faultline.io/outbound}): the sidecar listens on
 * 127.0.0.1:{@code listenPort} and forwards to the mapping's upstream; every app container gets {@code env} =
 * {@code 127.0.0.1:<listenPort>} so it can be pointed there.
 *
 * @param redirectPort transparent outbound ({@code faultline.io/outbound-redirect}): the app's TCP connections to
 *        this destination port (any address but loopback) are redirected to the listener; null when not redirected
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutboundListener(String name, String mapping, int listenPort, String env, Integer redirectPort) {

    @JsonCreator
    public OutboundListener {
    }

    public OutboundListener(String name, String mapping, int listenPort, String env) {
        this(name, mapping, listenPort, env, null);
    }

    OutboundListener redirected(int port) {
        return new OutboundListener(name, mapping, listenPort, env, port);
    }

    public Target toTarget() {
        Target target = new Target();
        target.name = name;
        target.mapping = mapping;
        return target;
    }
}
