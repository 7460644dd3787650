package io.faultline.operator.webhook;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.operator.reconciler.EventRecorder;
import io.faultline.operator.webhook.InjectionDecision.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Admission outcomes as metrics ({@code faultline_injection_total{reason=...}}, every decision) and Events
 * ({@code Injected}, and {@code InjectionSkipped} when the pod asked for a sidecar and did not get one). Pods that
 * never asked (not opted in, system namespaces) and reinvocations (already injected) are counted, not evented, or
 * every pod of the cluster would leave an Event. At admission the pod has no UID and often no name, so the Event is
 * attached to its controller (e.g. the ReplicaSet) when it has one. Events are written off the admission thread.
 */
@ApplicationScoped
public class InjectionEvents implements InjectionListener {
    static final Set<Reason> EVENTED = EnumSet.of(Reason.Injected, Reason.OptedOut, Reason.HostNetwork, Reason.InvalidAnnotation,
            Reason.PortConflict, Reason.PodSecurity, Reason.InternalError);

    private final EventRecorder events;
    private final MeterRegistry registry;
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1000),
            runnable -> {
                Thread thread = new Thread(runnable, "faultline-injection-events");
                thread.setDaemon(true);
                return thread;
            }, new ThreadPoolExecutor.DiscardPolicy()); // under a storm of pods, Events are dropped rather than admission slowed

    public InjectionEvents(EventRecorder events, MeterRegistry registry) {
        this.events = events;
        this.registry = registry;
    }

    @Override
    public void decided(Pod pod, String namespace, InjectionDecision decision) {
        Counter.builder("faultline.injection").description("Pod admissions by outcome").tag("reason", decision.reason().name())
                .register(registry).increment();
        if (!EVENTED.contains(decision.reason())) {
            return;
        }
        GenericKubernetesResource subject = subject(pod, namespace);
        writer.execute(() -> {
            if (decision.inject()) {
                events.normal(subject, "Injected", "Faultline sidecar injected into pod " + podName(pod) + " (" + decision.message() + ")");
            } else {
                String message = decision.reason() + ": pod " + podName(pod) + ": " + decision.message();
                if (decision.reason() == Reason.OptedOut || decision.reason() == Reason.HostNetwork) {
                    events.normal(subject, "InjectionSkipped", message);
                } else {
                    events.warning(subject, "InjectionSkipped", message);
                }
            }
        });
    }

    static GenericKubernetesResource subject(Pod pod, String namespace) {
        OwnerReference owner = pod.getMetadata() == null || pod.getMetadata().getOwnerReferences() == null ? null
                : pod.getMetadata().getOwnerReferences().stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst()
                        .orElse(null);
        if (owner != null) {
            return new GenericKubernetesResourceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                    .withNewMetadata().withName(owner.getName()).withNamespace(namespace).withUid(owner.getUid()).endMetadata().build();
        }
        String name = pod.getMetadata() != null && pod.getMetadata().getName() != null ? pod.getMetadata().getName()
                : podName(pod).replaceAll("[^a-z0-9.-]", "").replaceAll("[-.]+$", ""); // Event names derive from it
        return new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("Pod")
                .withNewMetadata().withName(name.isEmpty() ? "pod" : name).withNamespace(namespace).endMetadata().build();
    }

    static String podName(Pod pod) {
        if (pod.getMetadata() == null) {
            return "(unnamed)";
        }
        if (pod.getMetadata().getName() != null) {
            return pod.getMetadata().getName();
        }
        return pod.getMetadata().getGenerateName() == null ? "(unnamed)" : pod.getMetadata().getGenerateName() + "*";
    }

    @PreDestroy
    void stop() {
        writer.shutdown();
    }
}
