package io.faultline.operator.compiler;

import io.faultline.crds.spec.Target;
import io.faultline.crds.spec.TargetProtocol;

/**
 * Where a target's sidecar listener binds and forwards to. Inbound: listens on all interfaces (or the pod's
 * {@code faultline.io/listen-host}) at {@code listenPort}, forwards to 127.0.0.1:{@code port}. Outbound: listens on
 * 127.0.0.1 (or {@code faultline.io/listen-host}) at the mapping's port, forwards to the mapping's upstream.
 */
public record ListenerPlan(String listen, String upstream, String protocol) {
    public static final String DEFAULT_INBOUND_HOST = "0.0.0.0";
    public static final String DEFAULT_OUTBOUND_HOST = "127.0.0.1";

    /** @param listenHostOverride the pod's listen-host annotation, or null */
    public static ListenerPlan of(Target target, String listenHostOverride) {
        if (target.outbound()) {
            OutboundMapping mapping = OutboundMapping.parse(target.mapping);
            String host = listenHostOverride != null ? listenHostOverride : DEFAULT_OUTBOUND_HOST;
            return new ListenerPlan(host + ":" + mapping.listenPort(), mapping.sidecarUpstream(), mapping.sidecarProtocol());
        }
        String host = listenHostOverride != null ? listenHostOverride : DEFAULT_INBOUND_HOST;
        String protocol = target.protocol == null ? TargetProtocol.TCP.wireName() : target.protocol.wireName();
        return new ListenerPlan(host + ":" + inboundListenPort(target), "127.0.0.1:" + target.port, protocol);
    }

    /** The inbound listen port: {@code listenPort}, else port + 10000 (port - 10000 when that would exceed 65535). */
    public static int inboundListenPort(Target target) {
        if (target.listenPort != null) {
            return target.listenPort;
        }
        return target.port + 10000 <= 65535 ? target.port + 10000 : target.port - 10000;
    }

    public String listenPort() {
        return listen.substring(listen.lastIndexOf(':') + 1);
    }
}
