package io.faultline.operator.coverage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.faultline.crds.spec.Target;
import io.faultline.operator.webhook.InboundPort;
import io.faultline.operator.webhook.InjectionStatus;

/**
 * Where a session's inbound target cannot reach a pod's traffic, as a pure function of the pod (its injection status
 * annotation), the session's targets and the namespace's Services. Two gaps:
 * <ul>
 * <li>the pod's injection does not intercept the target's port at all (explicit mode intercepts named ports only;
 * {@code faultline.io/inbound-ports} may have left it out): the sidecar listens, but nothing is sent to it;</li>
 * <li>explicit mode, port intercepted by name, but a Service selecting the pod reaches the port by NUMBER
 * ({@code targetPort: 8080}, or no targetPort and {@code port: 8080}): kube-proxy sends that traffic straight to the app,
 * past the sidecar. Explicit mode has no privileges, so it cannot move a port number (the app keeps listening on it);
 * only a port name can be handed to the sidecar. Transparent mode (an iptables REDIRECT) or naming the port fixes it.</li>
 * </ul>
 * Pods without the status annotation (injected by other means) are not judged: their interception is unknown.
 */
public final class InterceptionGaps {
    private InterceptionGaps() {
    }

    /** One target of one pod not intercepted; {@code service} is null when no traffic reaches the sidecar at all. */
    public record Gap(String pod, String target, int port, String service, String message) {
    }

    public static List<Gap> of(Pod pod, List<Target> targets, List<Service> services) {
        String json = annotations(pod).get(io.faultline.operator.webhook.InjectionAnnotations.STATUS);
        if (json == null || targets == null) {
            return List.of();
        }
        InjectionStatus status;
        try {
            status = InjectionStatus.parse(json);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
        boolean explicit = "explicit".equals(status.interception());
        List<InboundPort> intercepted = status.inbound() == null ? List.of() : status.inbound();
        String podName = pod.getMetadata().getName();
        List<Gap> gaps = new ArrayList<>();
        for (Target target : targets) {
            if (target.port == null) {
                continue; // outbound targets: the app is pointed at the listener, nothing to take over
            }
            int port = target.port;
            Optional<InboundPort> inbound = intercepted.stream().filter(p -> p.port() == port).findFirst();
            if (inbound.isEmpty()) {
                gaps.add(new Gap(podName, target.name, port, null, "target " + target.name + " (port " + port + ") is not intercepted:"
                        + " the pod's injection (" + status.interception() + ") takes over " + describe(intercepted)
                        + ", so no traffic to port " + port + " passes the sidecar; " + fixForUninterceptedPort(pod, port, explicit)));
                continue;
            }
            if (!explicit) {
                continue; // transparent: every packet to the port is redirected, whatever the Service says
            }
            for (Service service : services) {
                if (!selects(service, pod)) {
                    continue;
                }
                for (ServicePort servicePort : service.getSpec().getPorts()) {
                    if (reachesByNumber(servicePort, port)) {
                        gaps.add(new Gap(podName, target.name, port, service.getMetadata().getName(), "target " + target.name
                                + " (port " + port + ") is not intercepted for Service " + service.getMetadata().getName() + " port "
                                + servicePort.getPort() + ": its targetPort is the number " + port + ", and explicit interception can"
                                + " only take over port names (the app keeps listening on " + port + ", so that traffic goes past the"
                                + " sidecar); fix: set the Service's targetPort to \"" + inbound.get().portName() + "\", or use"
                                + " faultline.io/interception: transparent and recreate the pod"));
                    }
                }
            }
        }
        return gaps;
    }

    /** True when the pod carries the webhook's status annotation (only such pods are judged). */
    public static boolean injectedByWebhook(Pod pod) {
        return annotations(pod).containsKey(io.faultline.operator.webhook.InjectionAnnotations.STATUS);
    }

    private static String fixForUninterceptedPort(Pod pod, int port, boolean explicit) {
        boolean named = containerPort(pod, port).map(p -> p.getName() != null).orElse(false);
        if (explicit && !named) {
            return "explicit interception takes over named container ports only: name the port (and use that name as the"
                    + " Services' targetPort) or use faultline.io/interception: transparent, then recreate the pod";
        }
        return "list it in the pod annotation faultline.io/inbound-ports (or remove that annotation), then recreate the pod";
    }

    private static boolean reachesByNumber(ServicePort servicePort, int port) {
        if (servicePort.getProtocol() != null && !"TCP".equals(servicePort.getProtocol())) {
            return false;
        }
        IntOrString target = servicePort.getTargetPort();
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return servicePort.getPort() != null && servicePort.getPort() == port; // no targetPort: the same number as port
        }
        if (target.getIntVal() != null) {
            return target.getIntVal() == port;
        }
        return target.getStrVal().equals(String.valueOf(port));
    }

    private static boolean selects(Service service, Pod pod) {
        if (service.getSpec() == null || service.getSpec().getPorts() == null) {
            return false;
        }
        Map<String, String> selector = service.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            return false; // Services without selector have hand-made endpoints: not ours to judge
        }
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static Optional<ContainerPort> containerPort(Pod pod, int port) {
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return Optional.empty();
        }
        for (Container container : pod.getSpec().getContainers()) {
            if (container.getPorts() != null) {
                for (ContainerPort declared : container.getPorts()) {
                    if (declared.getContainerPort() != null && declared.getContainerPort() == port) {
                        return Optional.of(declared);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String describe(List<InboundPort> intercepted) {
        if (intercepted.isEmpty()) {
            return "no inbound port";
        }
        return "port" + (intercepted.size() > 1 ? "s " : " ") + intercepted.stream().map(p -> String.valueOf(p.port()))
                .collect(Collectors.joining(", ")) + " only";
    }

    private static Map<String, String> annotations(Pod pod) {
        return pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
    }
}
