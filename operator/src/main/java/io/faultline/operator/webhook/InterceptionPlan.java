package io.faultline.operator.webhook;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.crds.spec.Target;
import io.faultline.operator.compiler.ListenerPlan;
import io.faultline.operator.compiler.OutboundMapping;
import io.faultline.operator.webhook.InjectionDecision.Reason;

/**
 * Which traffic of a pod goes through its sidecar. Inbound: the TCP container ports listed in
 * {@code faultline.io/inbound-ports} (names or numbers, or "none"); by default every NAMED TCP port in explicit mode (a
 * Service can only be redirected by port name) and every TCP port in transparent mode. Each gets a listener on
 * port + 10000 (port - 10000 above 55535), the same rule the session compiler uses, so a session's inbound target on
 * that port shares the listener. Outbound: the mappings in {@code faultline.io/outbound}.
 */
public record InterceptionPlan(Interception mode, List<InboundPort> inbound, List<OutboundListener> outbound) {
    private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");
    static final String RENAMED_PREFIX = "app-";

    public static InterceptionPlan of(Pod pod, Interception mode, int adminPort) {
        Map<String, String> annotations = PodParts.annotations(pod);
        List<InboundPort> inbound = inbound(pod, mode, annotations.get(InjectionAnnotations.INBOUND_PORTS));
        List<OutboundListener> outbound = redirects(outbound(annotations.get(InjectionAnnotations.OUTBOUND)), mode,
                annotations.get(InjectionAnnotations.OUTBOUND_REDIRECT));
        checkPortClashes(pod, inbound, outbound, adminPort);
        return new InterceptionPlan(mode, inbound, outbound);
    }

    /** The listeners every config of this pod keeps, for the compiler. */
    public List<Target> baselineTargets() {
        List<Target> targets = new ArrayList<>();
        inbound.forEach(port -> targets.add(port.toTarget()));
        outbound.forEach(listener -> targets.add(listener.toTarget()));
        return targets;
    }

    private static List<InboundPort> inbound(Pod pod, Interception mode, String annotation) {
        List<Candidate> candidates = candidates(pod);
        List<Candidate> chosen = new ArrayList<>();
        if (annotation == null) {
            candidates.stream().filter(c -> mode == Interception.TRANSPARENT || c.port.getName() != null).forEach(chosen::add);
        } else if (!annotation.trim().equals("none")) {
            for (String token : annotation.split(",")) {
                String wanted = token.trim();
                Candidate match = candidates.stream()
                        .filter(c -> wanted.equals(c.port.getName()) || wanted.equals(String.valueOf(c.port.getContainerPort())))
                        .findFirst()
                        .orElseThrow(() -> new NotInjectable(Reason.InvalidAnnotation, "annotation " + InjectionAnnotations.INBOUND_PORTS
                                + ": '" + wanted + "' is not a TCP container port of this pod (name or number); accepted: "
                                + describe(candidates) + ", or none"));
                if (mode == Interception.EXPLICIT && match.port.getName() == null) {
                    throw new NotInjectable(Reason.InvalidAnnotation, "annotation " + InjectionAnnotations.INBOUND_PORTS + ": port "
                            + wanted + " of container " + match.container.getName() + " has no name; explicit interception"
                            + " takes over port NAMES (Services must use targetPort: <name>): name the port, or use"
                            + " faultline.io/interception: transparent");
                }
                if (!chosen.contains(match)) {
                    chosen.add(match);
                }
            }
        }
        List<InboundPort> ports = new ArrayList<>();
        for (Candidate candidate : chosen) {
            int number = candidate.port.getContainerPort();
            String name = candidate.port.getName();
            Target probe = new Target();
            probe.port = number;
            ports.add(new InboundPort(name != null ? name : "inbound-" + number, candidate.container.getName(), name, number,
                    ListenerPlan.inboundListenPort(probe),
                    mode == Interception.EXPLICIT ? RENAMED_PREFIX + number : null));
        }
        return ports;
    }

    private static List<OutboundListener> outbound(String annotation) {
        List<OutboundListener> listeners = new ArrayList<>();
        if (annotation == null || annotation.isBlank()) {
            return listeners;
        }
        Map<String, String> seen = new HashMap<>();
        for (String entry : annotation.split(",")) {
            String text = entry.trim();
            int eq = text.indexOf('=');
            String name = eq < 0 ? "" : text.substring(0, eq).trim();
            if (eq < 0 || !LABEL.matcher(name).matches()) {
                throw new NotInjectable(Reason.InvalidAnnotation, "annotation " + InjectionAnnotations.OUTBOUND + ": '" + text
                        + "' is not NAME=LISTEN_PORT=[tcp|http|tls://]HOST:PORT with NAME a lower-case RFC 1123 label,"
                        + " e.g. payments=15001=http://payments:80");
            }
            String mapping = text.substring(eq + 1).trim();
            OutboundMapping parsed;
            try {
                parsed = OutboundMapping.parse(mapping);
            } catch (IllegalArgumentException e) {
                throw new NotInjectable(Reason.InvalidAnnotation, "annotation " + InjectionAnnotations.OUTBOUND + ", entry '" + name
                        + "': " + e.getMessage());
            }
            if (seen.put(name, mapping) != null) {
                throw new NotInjectable(Reason.InvalidAnnotation, "annotation " + InjectionAnnotations.OUTBOUND + ": name '" + name
                        + "' is used twice");
            }
            listeners.add(new OutboundListener(name, mapping, parsed.listenPort(),
                    "FAULTLINE_OUTBOUND_" + name.toUpperCase(Locale.ROOT).replace('-', '_')));
        }
        return listeners;
    }

    /** The listeners named in {@code faultline.io/outbound-redirect} get their destination port redirected. */
    private static List<OutboundListener> redirects(List<OutboundListener> listeners, Interception mode, String annotation) {
        if (annotation == null || annotation.isBlank()) {
            return listeners;
        }
        String where = "annotation " + InjectionAnnotations.OUTBOUND_REDIRECT;
        if (mode != Interception.TRANSPARENT) {
            throw new NotInjectable(Reason.InvalidAnnotation, where + " needs faultline.io/interception: transparent (the redirect"
                    + " is an iptables rule installed by the NET_ADMIN init container); in explicit mode point the app at the"
                    + " FAULTLINE_OUTBOUND_* address instead");
        }
        List<OutboundListener> result = new ArrayList<>(listeners);
        Map<Integer, String> byPort = new HashMap<>();
        for (String token : annotation.split(",")) {
            String name = token.trim();
            int index = -1;
            for (int i = 0; i < result.size(); i++) {
                if (result.get(i).name().equals(name)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new NotInjectable(Reason.InvalidAnnotation, where + ": '" + name + "' is not the name of an entry of "
                        + InjectionAnnotations.OUTBOUND);
            }
            OutboundMapping mapping = OutboundMapping.parse(result.get(index).mapping());
            if (mapping.scheme().equals("tls")) {
                throw new NotInjectable(Reason.InvalidAnnotation, where + ": '" + name + "' originates TLS (tls://), but a redirected"
                        + " connection arrives as the app sent it (already TLS if the app speaks TLS); use a tcp mapping");
            }
            String other = byPort.put(mapping.port(), name);
            if (other != null && !other.equals(name)) {
                throw new NotInjectable(Reason.InvalidAnnotation, where + ": '" + other + "' and '" + name + "' both redirect"
                        + " destination port " + mapping.port() + "; a redirect by port cannot tell their hosts apart");
            }
            result.set(index, result.get(index).redirected(mapping.port()));
        }
        return result;
    }

    /** The sidecar's ports (admin, inbound listeners, outbound listeners) must not meet each other or the app's ports. */
    private static void checkPortClashes(Pod pod, List<InboundPort> inbound, List<OutboundListener> outbound, int adminPort) {
        Map<Integer, String> used = new LinkedHashMap<>();
        for (Container container : PodParts.allContainers(pod)) {
            if (container.getPorts() != null) {
                container.getPorts().forEach(p -> used.putIfAbsent(p.getContainerPort(), "port " + p.getContainerPort() + " of container "
                        + container.getName()));
            }
        }
        claim(used, adminPort, "the sidecar's admin port (annotation faultline.io/admin-port changes it)");
        for (InboundPort port : inbound) {
            claim(used, port.listenPort(), "the sidecar's listener for " + port.container() + " port " + port.port());
        }
        for (OutboundListener listener : outbound) {
            claim(used, listener.listenPort(), "the sidecar's outbound listener " + listener.name());
        }
    }

    private static void claim(Map<Integer, String> used, int port, String what) {
        String holder = used.putIfAbsent(port, what);
        if (holder != null) {
            throw new NotInjectable(Reason.PortConflict, what + " needs port " + port + ", which is already " + holder);
        }
    }

    private record Candidate(Container container, ContainerPort port) {
    }

    private static List<Candidate> candidates(Pod pod) {
        List<Candidate> candidates = new ArrayList<>();
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return candidates;
        }
        for (Container container : pod.getSpec().getContainers()) {
            if (container.getPorts() == null) {
                continue;
            }
            for (ContainerPort port : container.getPorts()) {
                if (port.getProtocol() == null || port.getProtocol().equals("TCP")) {
                    candidates.add(new Candidate(container, port));
                }
            }
        }
        return candidates;
    }

    private static String describe(List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return "(the pod declares no TCP container ports)";
        }
        List<String> names = new ArrayList<>();
        candidates.forEach(c -> names.add(c.port.getName() != null ? c.port.getName() + " (" + c.port.getContainerPort() + ")"
                : String.valueOf(c.port.getContainerPort())));
        return String.join(", ", names);
    }
}
