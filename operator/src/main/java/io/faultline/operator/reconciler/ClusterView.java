package io.faultline.operator.reconciler;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;

/** Reads a namespace's state from the FaultSession controller's informer caches, and maps changes back to sessions. */
final class ClusterView {
    /** Annotation on a Namespace: "true" removes every fault in it (the per-namespace kill switch). */
    static final String KILL_SWITCH_ANNOTATION = "faultline.io/kill-switch";
    /**
     * Annotation on the operator's own Namespace ({@code faultline.injection.operator-namespace}): "true" removes every
     * fault in every namespace (the global kill switch, live; the setting {@code faultline.kill-switch} needs a restart).
     */
    static final String GLOBAL_KILL_SWITCH_ANNOTATION = "faultline.io/kill-switch-all";

    private ClusterView() {
    }

    @SuppressWarnings("unchecked")
    static NamespaceView of(Context<FaultSession> context, String namespace, KillSwitches killSwitches) {
        var pods = (InformerEventSource<Pod, FaultSession>) context.eventSourceRetriever().getEventSourceFor(Pod.class);
        var profiles = (InformerEventSource<QoSProfile, FaultSession>) context.eventSourceRetriever().getEventSourceFor(QoSProfile.class);
        var namespaces = (InformerEventSource<Namespace, FaultSession>) context.eventSourceRetriever().getEventSourceFor(Namespace.class);
        boolean namespaceKilled = annotated(namespaces, namespace, KILL_SWITCH_ANNOTATION);
        boolean globallyKilled = killSwitches.setting()
                || annotated(namespaces, killSwitches.operatorNamespace(), GLOBAL_KILL_SWITCH_ANNOTATION);
        return new NamespaceView(namespace,
                context.getPrimaryCache().list(namespace).collect(Collectors.toList()),
                pods.list(namespace, pod -> true).collect(Collectors.toList()),
                profiles.list(namespace, p -> true).collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity())),
                globallyKilled || namespaceKilled);
    }

    /** The global kill switch: the operator setting, or the annotation on the operator's namespace. */
    record KillSwitches(boolean setting, String operatorNamespace) {
    }

    private static boolean annotated(InformerEventSource<Namespace, FaultSession> namespaces, String namespace, String key) {
        return namespaces.get(new ResourceID(namespace)).map(ns -> "true".equals(annotations(ns).get(key))).orElse(false);
    }

    /** A Namespace change: the operator's namespace carries the global switch, any other its own sessions' switch. */
    static Set<ResourceID> sessionsAffectedBy(EventSourceContext<FaultSession> context, Namespace namespace,
            String operatorNamespace) {
        if (namespace.getMetadata().getName().equals(operatorNamespace)) {
            return context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
        }
        return sessionsOfNamespace(context, namespace.getMetadata().getName());
    }

    /** Every session of the namespace the changed resource lives in (or of the namespace itself). */
    static Set<ResourceID> sessionsOfNamespace(EventSourceContext<FaultSession> context, String namespace) {
        return context.getPrimaryCache().list(namespace).map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    static Set<ResourceID> sessionsNear(EventSourceContext<FaultSession> context, HasMetadata resource) {
        return sessionsOfNamespace(context, resource.getMetadata().getNamespace());
    }

    static Set<ResourceID> sessionsUsingProfile(EventSourceContext<FaultSession> context, QoSProfile profile) {
        String namespace = profile.getMetadata().getNamespace();
        String name = profile.getMetadata().getName();
        return context.getPrimaryCache().list(namespace)
                .filter(s -> s.getSpec() != null && s.getSpec().qosProfileRef != null && name.equals(s.getSpec().qosProfileRef.name))
                .map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    static Map<String, String> annotations(HasMetadata resource) {
        return resource.getMetadata().getAnnotations() == null ? Map.of() : resource.getMetadata().getAnnotations();
    }
}
