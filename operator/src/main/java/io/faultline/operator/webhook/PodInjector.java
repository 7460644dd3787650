package io.faultline.operator.webhook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.faultline.operator.compiler.PodConfig;
import io.faultline.operator.compiler.ProxyConfigCompiler;
import io.faultline.operator.compiler.ResolvedSession;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.webhook.InjectionDecision.Reason;

/**
 * The mutation as a pure function: a pod, its namespace's labels, the operator's settings and the active sessions that
 * select it → the decision and the mutated pod (a copy; the input is not touched). A pod that is not injected comes
 * back equal to the input, so its patch is empty; an injected pod is recognised on a second call, so injecting twice
 * changes nothing.
 */
public final class PodInjector {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param sessions the sessions selecting this pod at admission ({@link AdmissionSessions}); their rules in force
     *        make the initial config, so a fault applies from the first byte. Empty: the sidecar starts dormant.
     */
    public record Request(Pod pod, String namespace, Map<String, String> namespaceLabels, InjectionSettings settings,
            List<ResolvedSession> sessions) {
    }

    /** @param status and {@code initialConfig} are null when the pod is not injected */
    public record Result(InjectionDecision decision, Pod mutated, InjectionStatus status, PodConfig initialConfig) {
    }

    private PodInjector() {
    }

    public static Result inject(Request request) {
        Pod pod = copy(request.pod());
        if (pod.getMetadata() == null) {
            pod.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
        }
        InjectionDecision decision = InjectionPolicy.decide(pod, request.namespace(), request.namespaceLabels(), request.settings());
        if (!decision.inject()) {
            return new Result(decision, pod, null, null);
        }
        try {
            return mutate(pod, decision, request);
        } catch (NotInjectable e) {
            return new Result(InjectionDecision.skip(e.reason(), e.getMessage()), copy(request.pod()), null, null);
        }
    }

    private static Result mutate(Pod pod, InjectionDecision decision, Request request) {
        InjectionSettings settings = request.settings();
        Map<String, String> annotations = PodParts.annotations(pod);
        Interception mode = annotations.containsKey(InjectionAnnotations.INTERCEPTION)
                ? parse(() -> Interception.parse(annotations.get(InjectionAnnotations.INTERCEPTION), "annotation "
                        + InjectionAnnotations.INTERCEPTION))
                : settings.interception();
        int adminPort = parse(() -> SidecarPods.adminPort(pod, settings.adminPort()));
        boolean nativeSidecar = nativeSidecar(annotations, settings);
        String image = annotations.getOrDefault(InjectionAnnotations.SIDECAR_IMAGE, settings.image()).trim();
        if (image.isEmpty()) {
            throw new NotInjectable(Reason.InvalidAnnotation, "annotation " + InjectionAnnotations.SIDECAR_IMAGE + " is empty");
        }
        if (pod.getSpec() == null) {
            pod.setSpec(new PodSpec());
        }
        InterceptionPlan plan = InterceptionPlan.of(pod, mode, adminPort);
        PodConfig initial = ProxyConfigCompiler.compile(request.sessions(), SidecarPods.listenHost(pod), plan.baselineTargets());
        Container sidecar = SidecarContainers.sidecar(settings, image, adminPort, plan, annotations, nativeSidecar);

        PodSpec spec = pod.getSpec();
        List<Container> containers = new ArrayList<>(spec.getContainers() == null ? List.of() : spec.getContainers());
        for (InboundPort port : plan.inbound()) {
            if (port.renamedTo() != null) {
                containers.stream().filter(c -> c.getName().equals(port.container())).forEach(c -> ExplicitPorts.takeOver(c, port));
            }
        }
        for (Container container : containers) {
            addOutboundEnv(container, plan.outbound());
        }
        List<Container> initContainers = new ArrayList<>(spec.getInitContainers() == null ? List.of() : spec.getInitContainers());
        int firstInit = 0;
        boolean redirectsOutbound = plan.outbound().stream().anyMatch(l -> l.redirectPort() != null);
        if (mode == Interception.TRANSPARENT && (!plan.inbound().isEmpty() || redirectsOutbound)) {
            initContainers.add(0, SidecarContainers.redirectInit(settings, plan.inbound(), plan.outbound()));
            firstInit = 1;
        }
        if (nativeSidecar) {
            initContainers.add(firstInit, sidecar); // before the app's init containers: they may use the outbound listeners
        } else {
            containers.add(sidecar);
        }
        spec.setContainers(containers);
        spec.setInitContainers(initContainers.isEmpty() ? spec.getInitContainers() : initContainers);
        List<io.fabric8.kubernetes.api.model.Volume> volumes = new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
        volumes.addAll(SidecarContainers.volumes(settings));
        spec.setVolumes(volumes);

        List<String> sessionNames = request.sessions().stream().filter(ResolvedSession::rulesInForce).map(ResolvedSession::name).sorted()
                .toList();
        InjectionStatus status = new InjectionStatus(mode.wireName(), nativeSidecar, image, adminPort, plan.inbound(), plan.outbound(),
                initial.version(), sessionNames);
        Map<String, String> newAnnotations = new LinkedHashMap<>(annotations);
        newAnnotations.put(InjectionAnnotations.STATUS, status.toJson());
        newAnnotations.put(SidecarPods.INJECTED_ANNOTATION, "true");
        newAnnotations.put(InjectionAnnotations.INITIAL_CONFIG, new String(ProxyConfigCompiler.toBytes(initial),
                java.nio.charset.StandardCharsets.UTF_8));
        pod.getMetadata().setAnnotations(newAnnotations);
        return new Result(decision, pod, status, initial);
    }

    private static void addOutboundEnv(Container container, List<OutboundListener> outbound) {
        if (outbound.isEmpty()) {
            return;
        }
        List<EnvVar> env = new ArrayList<>(container.getEnv() == null ? List.of() : container.getEnv());
        for (OutboundListener listener : outbound) {
            if (env.stream().noneMatch(e -> e.getName().equals(listener.env()))) {
                env.add(new EnvVar(listener.env(), "127.0.0.1:" + listener.listenPort(), null));
            }
        }
        container.setEnv(env);
    }

    private static boolean nativeSidecar(Map<String, String> annotations, InjectionSettings settings) {
        String value = annotations.get(InjectionAnnotations.NATIVE_SIDECAR);
        if (value == null) {
            return settings.nativeSidecar();
        }
        if (!value.equals("true") && !value.equals("false")) {
            throw new NotInjectable(Reason.InvalidAnnotation, "annotation " + InjectionAnnotations.NATIVE_SIDECAR + "='" + value
                    + "' is not accepted; use \"true\" or \"false\"");
        }
        return Boolean.parseBoolean(value);
    }

    private static <T> T parse(java.util.function.Supplier<T> reader) {
        try {
            return reader.get();
        } catch (IllegalArgumentException e) {
            throw new NotInjectable(Reason.InvalidAnnotation, e.getMessage());
        }
    }

    static Pod copy(Pod pod) {
        return JSON.convertValue(pod, Pod.class);
    }
}
