package io.faultline.operator.compiler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.faultline.crds.common.PodSelector;
import io.faultline.crds.fault.LatencyFault;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Target;
import io.faultline.crds.spec.TargetProtocol;

/** Builders for test sessions. */
public final class Sessions {
    private Sessions() {
    }

    static Target inbound(String name, int port, TargetProtocol protocol) {
        Target target = new Target();
        target.name = name;
        target.port = port;
        target.protocol = protocol;
        return target;
    }

    static Target outbound(String name, String mapping) {
        Target target = new Target();
        target.name = name;
        target.mapping = mapping;
        return target;
    }

    public static FaultSpec latency(String name, String fixed, String... targets) {
        FaultSpec fault = new FaultSpec();
        fault.name = name;
        fault.latency = new LatencyFault();
        fault.latency.fixed = fixed;
        fault.targets = targets.length == 0 ? null : List.of(targets);
        return fault;
    }

    static FaultSessionSpec spec(List<Target> targets, FaultSpec... faults) {
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of("app", "checkout"));
        spec.targets = new ArrayList<>(targets);
        spec.faults = new ArrayList<>(List.of(faults));
        return spec;
    }

    static ResolvedSession active(String name, Instant createdAt, FaultSessionSpec spec, Instant expiry) {
        return new ResolvedSession("shop", name, "uid-" + name, createdAt, spec, null, true, expiry);
    }

    static ResolvedSession withQos(ResolvedSession session, QoSProfileSpec qos) {
        return new ResolvedSession(session.namespace(), session.name(), session.uid(), session.createdAt(), session.spec(), qos,
                session.rulesInForce(), session.expiry());
    }

    static ResolvedSession inactive(ResolvedSession session) {
        return new ResolvedSession(session.namespace(), session.name(), session.uid(), session.createdAt(), session.spec(),
                session.qos(), false, session.expiry());
    }
}
