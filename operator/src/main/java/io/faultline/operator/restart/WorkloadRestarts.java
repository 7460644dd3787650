package io.faultline.operator.restart;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.faultline.crds.FaultSession;
import io.faultline.crds.status.PodState;
import io.faultline.crds.status.SessionPhase;
import io.faultline.operator.config.FaultlineConfig;
import io.faultline.operator.reconciler.EventRecorder;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.status.PodOutcome;
import io.faultline.operator.webhook.InjectionConfig;
import io.faultline.operator.webhook.InjectionDecision;
import io.faultline.operator.webhook.InjectionPolicy;
import io.faultline.operator.webhook.InjectionSettings;

/**
 * {@code restartWorkloads: true}: the selected pods that run without the sidecar (AwaitingInjection) get it by a
 * rollout restart of their Deployment, StatefulSet or DaemonSet. Rules, in order:
 * <ul>
 * <li>only while the session is Active or Pending (a restart for an expired, paused or failed session is pointless);</li>
 * <li>only pods the webhook would inject (same {@link InjectionPolicy} as admission: namespace label or pod annotation,
 * not opted out, not hostNetwork, not a system namespace); otherwise the restart would bring back the same pod without
 * a sidecar, so it is skipped and the pod's status and a {@code WorkloadRestartSkipped} Event say why;</li>
 * <li>never the same workload twice for the same session generation (recorded on the workload, {@link RestartLedger});</li>
 * <li>one workload at a time, operator-wide, at least {@code faultline.restart.min-interval} apart; a session with
 * workloads still to restart asks to be reconciled again when the next one may go.</li>
 * </ul>
 * The pod outcomes come back with their message saying what happened, for the session status.
 */
@ApplicationScoped
public class WorkloadRestarts {
    private static final Logger LOG = Logger.getLogger(WorkloadRestarts.class);
    static final String RESTARTED = "WorkloadRestarted";
    static final String SKIPPED = "WorkloadRestartSkipped";
    static final String FAILED = "WorkloadRestartFailed";
    private static final int MAX_REMEMBERED_EVENTS = 10_000;

    private final WorkloadApi api;
    private final EventRecorder events;
    private final InjectionSettings settings;
    private final Duration minInterval;
    /** Skip Events already recorded (session generation + subject + reason), so a reconcile every minute is not an Event every minute. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private Instant lastRestart = Instant.MIN;

    /** What the review found: the outcomes with messages, and when to reconcile again for a restart still to come. */
    public record Result(List<PodOutcome> pods, Optional<Duration> retryAfter) {

        /** The sooner of {@code other} and {@link #retryAfter()}. */
        public Optional<Duration> soonest(Optional<Duration> other) {
            if (retryAfter.isEmpty()) {
                return other;
            }
            return Optional.of(other.filter(d -> d.compareTo(retryAfter.get()) < 0).orElse(retryAfter.get()));
        }
    }

    @Inject
    public WorkloadRestarts(KubernetesClient client, EventRecorder events, InjectionConfig injection, FaultlineConfig operator,
            RestartConfig config) {
        this(new WorkloadApi(client), events, InjectionSettings.from(injection, operator), config.minInterval());
    }

    public WorkloadRestarts(WorkloadApi api, EventRecorder events, InjectionSettings settings, Duration minInterval) {
        this.api = api;
        this.events = events;
        this.settings = settings;
        this.minInterval = minInterval;
    }

    /** The reconciler's entry: the pods and namespace labels come from the FaultSession controller's informer caches. */
    @SuppressWarnings("unchecked")
    public Result reconcile(FaultSession session, SessionPhase phase, Context<FaultSession> context, List<PodOutcome> outcomes,
            Instant now) {
        if (outcomes.stream().noneMatch(o -> o.state() == PodState.AwaitingInjection)) {
            return new Result(outcomes, Optional.empty());
        }
        String namespace = session.getMetadata().getNamespace();
        var pods = (InformerEventSource<Pod, FaultSession>) context.eventSourceRetriever().getEventSourceFor(Pod.class);
        var namespaces = (InformerEventSource<Namespace, FaultSession>) context.eventSourceRetriever()
                .getEventSourceFor(Namespace.class);
        Map<String, String> labels = namespaces.get(new ResourceID(namespace))
                .map(ns -> ns.getMetadata().getLabels()).orElse(null);
        return review(session, phase, outcomes, pods.list(namespace, pod -> true).toList(), labels, now);
    }

    /**
     * @param outcomes the session's selected pods as the sync left them
     * @param pods the pods of the session's namespace (to find the awaiting ones' owners and annotations)
     */
    public Result review(FaultSession session, SessionPhase phase, List<PodOutcome> outcomes, List<Pod> pods,
            Map<String, String> namespaceLabels, Instant now) {
        Map<String, Pod> byName = new HashMap<>();
        pods.forEach(pod -> byName.put(pod.getMetadata().getName(), pod));
        if (!wanted(session, phase, outcomes)) {
            return new Result(explainUninjectable(outcomes, byName, namespaceLabels), Optional.empty());
        }
        Map<String, String> notes = new HashMap<>();
        Map<String, List<String>> skippedByReason = new TreeMap<>();
        Map<Workload, List<Pod>> awaitingByWorkload = new TreeMap<>(
                Comparator.comparing((Workload w) -> w.kind().name()).thenComparing(Workload::name));
        for (PodOutcome outcome : outcomes) {
            Pod pod = byName.get(outcome.podName());
            if (outcome.state() != PodState.AwaitingInjection || pod == null || SidecarPods.isInjected(pod)) {
                continue;
            }
            InjectionDecision decision = InjectionPolicy.decide(pod, pod.getMetadata().getNamespace(), namespaceLabels, settings);
            if (!decision.inject()) {
                String why = "not restarted: the webhook would not inject it (" + decision.reason() + ": " + decision.message()
                        + "), so a restart would bring it back without the sidecar";
                notes.put(outcome.podName(), why);
                skippedByReason.computeIfAbsent(decision.reason() + ": " + decision.message()
                        + "; a restart would bring the pods back without the sidecar", r -> new ArrayList<>()).add(outcome.podName());
                continue;
            }
            WorkloadOwner owner;
            try {
                owner = api.ownerOf(pod);
            } catch (KubernetesClientException e) {
                notes.put(outcome.podName(), "not restarted: its owner could not be read: " + e.getMessage());
                continue;
            }
            if (owner.workload() == null) {
                notes.put(outcome.podName(), "not restarted: " + owner.whyNone());
                skippedByReason.computeIfAbsent("NoWorkload: " + owner.whyNone(), r -> new ArrayList<>()).add(outcome.podName());
                continue;
            }
            awaitingByWorkload.computeIfAbsent(owner.workload(), w -> new ArrayList<>()).add(pod);
        }
        skippedByReason.forEach((why, podNames) -> skipped(session, why, "pods " + podNames + " not restarted: " + why));

        Optional<Duration> retryAfter = Optional.empty();
        synchronized (this) { // one workload at a time, whichever session asks
            for (Map.Entry<Workload, List<Pod>> entry : awaitingByWorkload.entrySet()) {
                Optional<Duration> wait = restartOne(session, entry.getKey(), entry.getValue(), notes, now);
                if (wait.isPresent() && retryAfter.isEmpty()) {
                    retryAfter = wait;
                }
            }
        }
        List<PodOutcome> annotated = outcomes.stream().map(outcome -> notes.containsKey(outcome.podName())
                ? new PodOutcome(outcome.podName(), outcome.state(), outcome.configVersion(),
                        join(outcome.message(), notes.get(outcome.podName())))
                : outcome).collect(Collectors.toList());
        return new Result(annotated, retryAfter);
    }

    /** Restarts the workload if it is its turn; notes what happened on each of its pods. Returns how long to wait when it is not. */
    private Optional<Duration> restartOne(FaultSession session, Workload workload, List<Pod> pods, Map<String, String> notes, Instant now) {
        String entry = RestartLedger.entry(session);
        Optional<Map<String, String>> template;
        try {
            template = api.templateAnnotations(workload);
        } catch (KubernetesClientException e) {
            note(notes, pods, "not restarted: " + workload + " could not be read: " + e.getMessage());
            return Optional.empty();
        }
        if (template.isEmpty()) {
            note(notes, pods, "not restarted: " + workload + " was not found");
            return Optional.empty();
        }
        if (RestartLedger.contains(template.get(), entry)) {
            for (Pod pod : pods) {
                boolean createdByRestart = RestartLedger.contains(pod.getMetadata().getAnnotations(), entry);
                notes.put(pod.getMetadata().getName(), createdByRestart
                        ? workload + " was restarted for this session generation and this pod, created by that restart, has no"
                                + " sidecar: the webhook did not inject it (see InjectionSkipped Events and the webhook's logs)"
                        : workload + " was restarted for this session generation; its pods get the sidecar as the rollout"
                                + " replaces them");
            }
            return Optional.empty();
        }
        Instant allowedAt = lastRestart == Instant.MIN ? now : lastRestart.plus(minInterval);
        if (now.isBefore(allowedAt)) {
            note(notes, pods, "waiting to restart " + workload + ": one workload at a time, at least " + minInterval
                    + " apart; next restart at " + allowedAt);
            return Optional.of(Duration.between(now, allowedAt));
        }
        try {
            api.restart(workload, RestartLedger.with(template.get(), entry), now);
        } catch (KubernetesClientException e) {
            note(notes, pods, "restart of " + workload + " failed: " + e.getMessage());
            skipped(session, FAILED + " " + workload, "restart of " + workload + " failed: " + e.getMessage());
            lastRestart = now; // a failing API is not retried faster than restarts would go
            return Optional.of(minInterval);
        }
        lastRestart = now;
        String podNames = pods.stream().map(p -> p.getMetadata().getName()).sorted().collect(Collectors.joining(", "));
        LOG.infof("session %s/%s: restarted %s for pods without sidecar %s", session.getMetadata().getNamespace(),
                session.getMetadata().getName(), workload, podNames);
        events.normal(session, RESTARTED, "restarted " + workload + " (rollout restart) so that its pods get the Faultline"
                + " sidecar; without it: " + podNames);
        note(notes, pods, "restarting " + workload + " to add the sidecar (" + WorkloadApi.RESTARTED_AT + " " + now + ")");
        return Optional.empty();
    }

    /**
     * Without restarts, a pod awaiting injection that the webhook would not inject either (not opted in, Pod Security,
     * opted out...) says why in the session's status: restarting it would not help.
     */
    private List<PodOutcome> explainUninjectable(List<PodOutcome> outcomes, Map<String, Pod> byName, Map<String, String> namespaceLabels) {
        return outcomes.stream().map(outcome -> {
            Pod pod = byName.get(outcome.podName());
            if (outcome.state() != PodState.AwaitingInjection || pod == null || SidecarPods.isInjected(pod)) {
                return outcome;
            }
            InjectionDecision decision = InjectionPolicy.decide(pod, pod.getMetadata().getNamespace(), namespaceLabels, settings);
            return decision.inject() ? outcome : new PodOutcome(outcome.podName(), outcome.state(), outcome.configVersion(),
                    join(outcome.message(), "the webhook does not inject it (" + decision.reason() + ": " + decision.message() + ")"));
        }).collect(Collectors.toList());
    }

    private static boolean wanted(FaultSession session, SessionPhase phase, List<PodOutcome> outcomes) {
        return session.getSpec() != null && session.getSpec().restartRequested()
                && (phase == SessionPhase.Active || phase == SessionPhase.Pending)
                && outcomes.stream().anyMatch(o -> o.state() == PodState.AwaitingInjection);
    }

    /** A Warning Event once per session generation and cause (pods that keep failing the same way are not reported every minute). */
    private void skipped(FaultSession session, String cause, String message) {
        if (reported.size() > MAX_REMEMBERED_EVENTS) {
            reported.clear();
        }
        String key = session.getMetadata().getUid() + "/" + session.getMetadata().getGeneration() + "/" + cause;
        if (reported.add(key)) {
            events.warning(session, cause.startsWith(FAILED) ? FAILED : SKIPPED, message);
        }
    }

    private static void note(Map<String, String> notes, List<Pod> pods, String note) {
        pods.forEach(pod -> notes.put(pod.getMetadata().getName(), note));
    }

    private static String join(String message, String note) {
        return message == null || message.isBlank() ? note : message + "; " + note;
    }
}
