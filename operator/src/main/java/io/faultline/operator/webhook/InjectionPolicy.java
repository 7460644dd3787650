package io.faultline.operator.webhook;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.webhook.InjectionDecision.Reason;

/**
 * Who gets a sidecar. In this order: pods of system namespaces (and the operator's own, and namespaces labelled
 * {@code faultline.io/injection=disabled}) never; pods already injected
 * never again (the webhook may be invoked twice, e.g. on reinvocation); {@code faultline.io/inject: "false"} opts out;
 * hostNetwork pods are skipped (a sidecar there would bind the node's ports); then the pod is injected when its
 * namespace carries {@code faultline.io/injection=enabled} or it is annotated {@code faultline.io/inject: "true"},
 * unless it would be intercepted transparently in a namespace whose Pod Security level (baseline or restricted) forbids
 * the init container's capabilities: injecting it would make the pod inadmissible, so it is admitted unchanged and
 * told why.
 */
public final class InjectionPolicy {
    /** The Pod Security admission label whose level the API server enforces on the namespace's pods. */
    public static final String POD_SECURITY_ENFORCE = "pod-security.kubernetes.io/enforce";
    private InjectionPolicy() {
    }

    public static InjectionDecision decide(Pod pod, String namespace, Map<String, String> namespaceLabels, InjectionSettings settings) {
        if (settings.excludedNamespaces().contains(namespace)) {
            return InjectionDecision.skip(Reason.SystemNamespace, "namespace " + namespace + " is never injected");
        }
        if (namespaceLabels != null
                && InjectionAnnotations.NAMESPACE_LABEL_DISABLED.equals(namespaceLabels.get(InjectionAnnotations.NAMESPACE_LABEL))) {
            return InjectionDecision.skip(Reason.OptedOut, "namespace label " + InjectionAnnotations.NAMESPACE_LABEL + "="
                    + InjectionAnnotations.NAMESPACE_LABEL_DISABLED);
        }
        if (alreadyInjected(pod)) {
            return InjectionDecision.skip(Reason.AlreadyInjected, "the pod already has the Faultline sidecar");
        }
        String annotation = PodParts.annotations(pod).get(InjectionAnnotations.INJECT);
        if (annotation != null && !annotation.equals("true") && !annotation.equals("false")) {
            return InjectionDecision.skip(Reason.InvalidAnnotation, "annotation " + InjectionAnnotations.INJECT + "='" + annotation
                    + "' is not accepted; use \"true\" or \"false\"");
        }
        if ("false".equals(annotation)) {
            return InjectionDecision.skip(Reason.OptedOut, "annotation " + InjectionAnnotations.INJECT + "=false");
        }
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return InjectionDecision.skip(Reason.HostNetwork, "hostNetwork pods are not injected (the sidecar would bind node ports)");
        }
        boolean namespaceEnabled = namespaceLabels != null
                && InjectionAnnotations.NAMESPACE_LABEL_ENABLED.equals(namespaceLabels.get(InjectionAnnotations.NAMESPACE_LABEL));
        if (!"true".equals(annotation) && !namespaceEnabled) {
            return InjectionDecision.skip(Reason.NotOptedIn, "neither namespace label " + InjectionAnnotations.NAMESPACE_LABEL
                    + "=enabled nor annotation " + InjectionAnnotations.INJECT + "=true");
        }
        String enforced = namespaceLabels == null ? null : namespaceLabels.get(POD_SECURITY_ENFORCE);
        if (transparent(pod, settings) && ("baseline".equals(enforced) || "restricted".equals(enforced))) {
            return InjectionDecision.skip(Reason.PodSecurity, "transparent interception adds the init container faultline-init"
                    + " with NET_ADMIN and NET_RAW, which the namespace's Pod Security level '" + enforced + "' (label "
                    + POD_SECURITY_ENFORCE + ") forbids: the API server would reject the pod. Use explicit interception"
                    + " (annotation " + InjectionAnnotations.INTERCEPTION + ": explicit) or enforce 'privileged' here");
        }
        if ("true".equals(annotation)) {
            return InjectionDecision.injected("annotation " + InjectionAnnotations.INJECT + "=true");
        }
        return InjectionDecision.injected("namespace label " + InjectionAnnotations.NAMESPACE_LABEL + "=enabled");
    }

    /** The pod's interception mode: its annotation, else the operator's default (a bad annotation is the injector's to report). */
    private static boolean transparent(Pod pod, InjectionSettings settings) {
        String mode = PodParts.annotations(pod).get(InjectionAnnotations.INTERCEPTION);
        if (mode == null) {
            return settings.interception() == Interception.TRANSPARENT;
        }
        return Interception.TRANSPARENT.wireName().equals(mode.trim());
    }

    /** The status annotation, or a container or init container named faultline-sidecar. */
    public static boolean alreadyInjected(Pod pod) {
        if (PodParts.annotations(pod).containsKey(InjectionAnnotations.STATUS)) {
            return true;
        }
        if (pod.getSpec() == null) {
            return false;
        }
        return hasSidecar(pod.getSpec().getContainers()) || hasSidecar(pod.getSpec().getInitContainers());
    }

    private static boolean hasSidecar(List<Container> containers) {
        return containers != null && containers.stream().anyMatch(c -> SidecarPods.SIDECAR_CONTAINER.equals(c.getName()));
    }
}
