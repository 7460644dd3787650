package io.faultline.operator.coverage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.faultline.crds.FaultSession;
import io.faultline.crds.status.PodState;
import io.faultline.crds.status.SessionPhase;
import io.faultline.operator.reconciler.EventRecorder;
import io.faultline.operator.status.PodOutcome;

/**
 * Tells a session where its inbound targets do not reach the traffic ({@link InterceptionGaps}): the pod's status
 * message names the target, the port, the Service and the fix, and a {@code NotIntercepted} Warning Event says it once
 * per session generation and gap. The namespace's Services are listed from the API server (at most every
 * {@link #SERVICES_TTL} per namespace, and only when an injected pod is selected), so a Service edit shows within a
 * minute (the session's periodic reconcile) without a cluster-wide Service watch.
 */
@ApplicationScoped
public class InterceptionCheck {
    private static final Logger LOG = Logger.getLogger(InterceptionCheck.class);
    static final String NOT_INTERCEPTED = "NotIntercepted";
    static final Duration SERVICES_TTL = Duration.ofSeconds(10);
    private static final int MAX_REMEMBERED_EVENTS = 10_000;

    private final Function<String, List<Service>> servicesOf;
    private final EventRecorder events;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Map<String, CachedServices> cache = new ConcurrentHashMap<>();

    private record CachedServices(Instant at, List<Service> services) {
    }

    @Inject
    public InterceptionCheck(KubernetesClient client, EventRecorder events) {
        this(namespace -> client.services().inNamespace(namespace).list().getItems(), events);
    }

    public InterceptionCheck(Function<String, List<Service>> servicesOf, EventRecorder events) {
        this.servicesOf = servicesOf;
        this.events = events;
    }

    /** The reconciler's entry: the pods come from the FaultSession controller's pod informer. */
    @SuppressWarnings("unchecked")
    public List<PodOutcome> reconcile(FaultSession session, SessionPhase phase, Context<FaultSession> context, List<PodOutcome> outcomes,
            Instant now) {
        if (!wanted(session, phase, outcomes)) {
            return outcomes;
        }
        var pods = (InformerEventSource<Pod, FaultSession>) context.eventSourceRetriever().getEventSourceFor(Pod.class);
        return review(session, phase, outcomes, pods.list(session.getMetadata().getNamespace(), pod -> true).toList(), now);
    }

    public List<PodOutcome> review(FaultSession session, SessionPhase phase, List<PodOutcome> outcomes, List<Pod> pods, Instant now) {
        if (!wanted(session, phase, outcomes)) {
            return outcomes;
        }
        Map<String, Pod> byName = new HashMap<>();
        pods.forEach(pod -> byName.put(pod.getMetadata().getName(), pod));
        boolean anyJudged = outcomes.stream().map(o -> byName.get(o.podName()))
                .anyMatch(pod -> pod != null && InterceptionGaps.injectedByWebhook(pod));
        if (!anyJudged) {
            return outcomes; // no pod injected by the webhook: nothing to judge, no Service listing
        }
        List<Service> services;
        try {
            services = services(session.getMetadata().getNamespace(), now);
        } catch (KubernetesClientException e) {
            LOG.warnf("could not list the Services of %s: %s", session.getMetadata().getNamespace(), e.getMessage());
            services = List.of(); // the pods' own interception is still judged
        }
        Map<String, List<String>> notes = new HashMap<>();
        Map<String, List<String>> podsByGap = new TreeMap<>();
        for (PodOutcome outcome : outcomes) {
            Pod pod = byName.get(outcome.podName());
            if (pod == null || outcome.state() == PodState.AwaitingInjection) {
                continue;
            }
            for (InterceptionGaps.Gap gap : InterceptionGaps.of(pod, session.getSpec().targets, services)) {
                notes.computeIfAbsent(outcome.podName(), k -> new ArrayList<>()).add(gap.message());
                podsByGap.computeIfAbsent(gap.message(), k -> new ArrayList<>()).add(outcome.podName());
            }
        }
        podsByGap.forEach((message, podNames) -> warnOnce(session, message, "pods " + podNames + ": " + message));
        return outcomes.stream().map(outcome -> !notes.containsKey(outcome.podName()) ? outcome
                : new PodOutcome(outcome.podName(), outcome.state(), outcome.configVersion(),
                        join(outcome.message(), String.join("; ", notes.get(outcome.podName())))))
                .collect(Collectors.toList());
    }

    private static boolean wanted(FaultSession session, SessionPhase phase, List<PodOutcome> outcomes) {
        return session.getSpec() != null && session.getSpec().targets != null && phase != SessionPhase.Failed
                && phase != SessionPhase.Expired && session.getSpec().targets.stream().anyMatch(t -> t.port != null)
                && outcomes.stream().anyMatch(o -> o.state() != PodState.AwaitingInjection);
    }

    private List<Service> services(String namespace, Instant now) {
        CachedServices cached = cache.get(namespace);
        if (cached != null && cached.at().plus(SERVICES_TTL).isAfter(now) && !cached.at().isAfter(now)) {
            return cached.services();
        }
        List<Service> services = servicesOf.apply(namespace);
        cache.put(namespace, new CachedServices(now, services));
        return services;
    }

    private void warnOnce(FaultSession session, String gap, String message) {
        if (reported.size() > MAX_REMEMBERED_EVENTS) {
            reported.clear();
        }
        if (reported.add(session.getMetadata().getUid() + "/" + session.getMetadata().getGeneration() + "/" + gap)) {
            events.warning(session, NOT_INTERCEPTED, message);
        }
    }

    private static String join(String message, String note) {
        return message == null || message.isBlank() ? note : message + "; " + note;
    }
}
