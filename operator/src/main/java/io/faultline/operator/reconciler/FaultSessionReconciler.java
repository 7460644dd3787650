package io.faultline.operator.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;
import io.faultline.crds.common.Condition;
import io.faultline.crds.status.FaultSessionStatus;
import io.faultline.crds.status.PodState;
import io.faultline.crds.status.SessionPhase;
import io.faultline.operator.config.FaultlineConfig;
import io.faultline.operator.coverage.InterceptionCheck;
import io.faultline.operator.restart.WorkloadRestarts;
import io.faultline.operator.status.Conditions;
import io.faultline.operator.status.PodOutcome;
import io.faultline.operator.status.QosProfileCondition;
import io.faultline.operator.status.SessionStatusAggregator;
import io.faultline.operator.webhook.InjectionAnnotations;
import io.faultline.operator.webhook.InjectionPolicy;
import io.faultline.operator.webhook.InjectionStatus;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reconciles FaultSessions: selection, schedule (requeued exactly at start and expiry), pause, kill switch, status,
 * Events, and a finalizer that removes the session's rules from every sidecar before the resource goes. The pushing
 * itself is a sync of the whole namespace ({@link NamespaceSynchronizer}).
 *
 * <p>Every session is reconciled at least every 60 s (maxReconciliationInterval). That resync is kept: it is how drift
 * that produces no Kubernetes event is repaired, e.g. a sidecar whose config was replaced or lost without a container
 * restart (the pusher re-reads a version older than {@code faultline.sidecar.verify-interval} with GET /v1/config), or
 * a missed watch event. It is cheap since syncs are coalesced and compiled configs memoized: sessions created
 * together come due together and share syncs, and a sync where nothing changed compiles nothing.
 */
@ControllerConfiguration(name = FaultSessionReconciler.NAME,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 60))
public class FaultSessionReconciler implements Reconciler<FaultSession>, Cleaner<FaultSession> {
    public static final String NAME = "faultsession";
    private static final Logger LOG = Logger.getLogger(FaultSessionReconciler.class);
    private static final Logger TIMING = Logger.getLogger("io.faultline.operator.timing");

    private final NamespaceSynchronizer synchronizer;
    private final SessionResolver resolver;
    private final EventRecorder events;
    private final FaultlineConfig config;
    private final MeterRegistry registry;
    /** spec.restartWorkloads (its own package: the rollout restarts of pods awaiting injection). */
    @Inject
    WorkloadRestarts workloadRestarts;
    /** Inbound targets that do not reach the traffic (explicit mode and numeric Service targetPorts), for status and Events. */
    @Inject
    InterceptionCheck interceptionCheck;
    private final ClusterView.KillSwitches killSwitches;

    public FaultSessionReconciler(NamespaceSynchronizer synchronizer, SessionResolver resolver, EventRecorder events,
            FaultlineConfig config, MeterRegistry registry,
            @ConfigProperty(name = "faultline.injection.operator-namespace") String operatorNamespace) {
        this.synchronizer = synchronizer;
        this.resolver = resolver;
        this.events = events;
        this.config = config;
        this.registry = registry;
        this.killSwitches = new ClusterView.KillSwitches(config.killSwitch(), operatorNamespace);
    }

    @Override
    public List<EventSource<?, FaultSession>> prepareEventSources(EventSourceContext<FaultSession> context) {
        var pods = InformerEventSourceConfiguration.from(Pod.class, FaultSession.class)
                .withName("pods")
                .withSecondaryToPrimaryMapper((Pod pod) -> ClusterView.sessionsNear(context, pod))
                .withOnUpdateFilter(PodChanges::relevant)
                .build();
        var profiles = InformerEventSourceConfiguration.from(QoSProfile.class, FaultSession.class)
                .withName("qosprofiles")
                .withSecondaryToPrimaryMapper((QoSProfile profile) -> ClusterView.sessionsUsingProfile(context, profile))
                .build();
        var namespaces = InformerEventSourceConfiguration.from(Namespace.class, FaultSession.class)
                .withName("namespaces")
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper((Namespace ns) -> ClusterView.sessionsAffectedBy(context, ns,
                        killSwitches.operatorNamespace()))
                .withOnUpdateFilter((updated, previous) -> changed(updated, previous, ClusterView.KILL_SWITCH_ANNOTATION)
                        || changed(updated, previous, ClusterView.GLOBAL_KILL_SWITCH_ANNOTATION)
                        // opting a namespace in (or a Pod Security level) changes what restartWorkloads may do at once
                        || labelChanged(updated, previous, InjectionAnnotations.NAMESPACE_LABEL)
                        || labelChanged(updated, previous, InjectionPolicy.POD_SECURITY_ENFORCE))
                .build();
        return List.of(new InformerEventSource<>(pods, context), new InformerEventSource<>(profiles, context),
                new InformerEventSource<>(namespaces, context));
    }

    @Override
    public UpdateControl<FaultSession> reconcile(FaultSession session, Context<FaultSession> context) {
        long started = System.nanoTime();
        String namespace = session.getMetadata().getNamespace();
        long[] viewed = {started};
        NamespaceSyncResult sync = synchronizer.syncFresh(namespace, () -> {
            viewed[0] = System.nanoTime();
            return ClusterView.of(context, namespace, killSwitches);
        });
        long synced = System.nanoTime();
        Instant now = sync.at(); // the sync's view of time: its resolutions (phase, schedule) were computed at it
        String uid = session.getMetadata().getUid();
        SessionResolution resolution = sync.resolutions().get(uid);
        if (resolution == null) { // not in the cache yet: resolve against what we have
            resolution = resolver.resolve(session, ClusterView.of(context, namespace, killSwitches), now);
        }
        WorkloadRestarts.Result restarts = workloadRestarts.reconcile(session, resolution.verdict().phase(), context, sync.podsOf(uid), now);
        List<PodOutcome> pods = interceptionCheck.reconcile(session, resolution.verdict().phase(), context, restarts.pods(), now);

        FaultSessionStatus previous = session.getStatus();
        FaultSessionStatus status = SessionStatusAggregator.aggregate(previous, session.getMetadata().getGeneration(),
                resolution.verdict(), resolution.window() == null ? null : resolution.window().start(),
                resolution.window() == null ? null : resolution.window().expiry().orElse(null), pods, now);
        if (resolution.valid()) { // an invalid spec keeps the condition of the last valid one
            status.conditions = QosProfileCondition.update(status.conditions, resolution.effective(),
                    session.getMetadata().getGeneration(), now);
        }
        recordTransitionEvents(session, previous, status, resolution);
        registry.counter("faultline.session.reconciles", "phase", status.phase.name()).increment();

        // Only what the operator owns goes back to the API server: with server-side apply (the production default) the
        // informer's copy would claim every field for the operator, and is refused outright (managedFields must be nil).
        LastValidSpec.toRecord(session, resolution).ifPresent(spec -> LastValidSpec.write(context.getClient(), session, spec));
        UpdateControl<FaultSession> control;
        if (sameStatus(previous, status)) {
            control = UpdateControl.noUpdate();
        } else {
            FaultSession owned = OwnedFields.of(session);
            owned.setStatus(status);
            control = UpdateControl.patchStatus(owned);
        }
        restarts.soonest(nextReconcile(resolution, pods, now)).ifPresent(control::rescheduleAfter);
        TIMING.debugf("reconcile %s/%s generation %d, sync as of %s: waited for the namespace %d ms, view + sync %d ms, status %d ms",
                namespace, session.getMetadata().getName(), session.getMetadata().getGeneration(), now,
                (viewed[0] - started) / 1_000_000, (synced - viewed[0]) / 1_000_000, (System.nanoTime() - synced) / 1_000_000);
        return control;
    }

    @Override
    public DeleteControl cleanup(FaultSession session, Context<FaultSession> context) {
        String namespace = session.getMetadata().getNamespace();
        NamespaceView view = ClusterView.of(context, namespace, killSwitches);
        // A sync that skips this session: every sync does (it carries a deletionTimestamp in the cache), so one that
        // started after this call serves as well (coalescing); the filter only says so explicitly.
        NamespaceSyncResult sync = synchronizer.syncFresh(namespace, () -> {
            NamespaceView fresh = ClusterView.of(context, namespace, killSwitches);
            return new NamespaceView(namespace,
                    fresh.sessions().stream().filter(s -> !s.getMetadata().getUid().equals(session.getMetadata().getUid())).toList(),
                    fresh.pods(), fresh.profiles(), fresh.killSwitch());
        });
        // The pods that may still run this session's rules are those it selects: pods it stopped selecting earlier
        // were reconfigured by the sync that followed.
        List<Pod> selected = NamespaceSynchronizer.select(session, session.getSpec(), view.pods());
        List<String> unconfigured = new ArrayList<>(sync.unconfigured(selected.stream().map(pod -> pod.getMetadata().getName()).toList()));
        // A pod that does not run yet has no sidecar to clean, unless it was admitted while this session was active: its
        // sidecar will start with this session's rules (its initial config), so the first sync after it runs must remove
        // them. Pods admitted without them are not waited for.
        selected.stream().filter(pod -> sync.starting(pod.getMetadata().getName())
                && InjectionStatus.initialSessions(pod).contains(session.getMetadata().getName()))
                .map(pod -> pod.getMetadata().getName()).forEach(unconfigured::add);
        if (unconfigured.isEmpty()) {
            resolver.forget(session.getMetadata().getUid());
            LOG.infof("session %s/%s removed from every sidecar", namespace, session.getMetadata().getName());
            return DeleteControl.defaultDelete();
        }
        Instant deletedAt = session.getMetadata().getDeletionTimestamp() == null ? Instant.now()
                : Instant.parse(session.getMetadata().getDeletionTimestamp());
        if (Instant.now().isAfter(deletedAt.plus(config.cleanupTimeout()))) {
            events.warning(session, "CleanupIncomplete", "gave up removing the rules from pods " + unconfigured + " after "
                    + config.cleanupTimeout() + " (unreachable, or not running yet with this session's rules in the config they"
                    + " got at admission); their sidecars' expiresAt still applies, and they are cleaned up when they are"
                    + " reachable and any session of the namespace reconciles");
            resolver.forget(session.getMetadata().getUid());
            return DeleteControl.defaultDelete();
        }
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(config.sidecar().unreachableRetry());
    }

    private static boolean labelChanged(Namespace updated, Namespace previous, String label) {
        return !Objects.equals(labels(updated).get(label), labels(previous).get(label));
    }

    private static Map<String, String> labels(Namespace namespace) {
        return namespace.getMetadata().getLabels() == null ? Map.of() : namespace.getMetadata().getLabels();
    }

    private static boolean changed(Namespace updated, Namespace previous, String annotation) {
        return !Objects.equals(ClusterView.annotations(updated).get(annotation), ClusterView.annotations(previous).get(annotation));
    }

    private void recordTransitionEvents(FaultSession session, FaultSessionStatus previous, FaultSessionStatus status,
            SessionResolution resolution) {
        SessionPhase before = previous == null ? null : previous.phase;
        if (status.phase != before) {
            String message = resolution.verdict().message();
            switch (status.phase) {
                case Active:
                    events.normal(session, "Activated", message + "; " + status.selectedPods + " pods selected");
                    break;
                case Expired:
                    events.normal(session, "Expired", message);
                    break;
                case Paused:
                    events.normal(session, "Paused", message);
                    break;
                case Pending:
                    events.normal(session, "Scheduled", message);
                    break;
                case Failed:
                    events.warning(session, resolution.verdict().reason(), message);
                    break;
                default:
                    break;
            }
        } else if (status.phase == SessionPhase.Failed && previous != null
                && !Objects.equals(conditionMessage(previous), resolution.verdict().message())) {
            events.warning(session, resolution.verdict().reason(), resolution.verdict().message());
        }
        Optional<Condition> qos = Conditions.find(status.conditions, QosProfileCondition.TYPE)
                .filter(c -> QosProfileCondition.PARTIALLY_APPLIED.equals(c.reason));
        Optional<String> qosBefore = previous == null ? Optional.empty()
                : Conditions.find(previous.conditions, QosProfileCondition.TYPE).map(c -> c.message);
        if (qos.isPresent() && !qosBefore.equals(Optional.of(qos.get().message))) {
            events.warning(session, "QoSProfilePartiallyApplied", qos.get().message);
        }
        boolean configuredBefore = previous == null || isConfigured(previous);
        if (configuredBefore && !isConfigured(status)) {
            events.warning(session, "PushFailed", Conditions.find(status.conditions, SessionStatusAggregator.CONFIGURED)
                    .map(c -> c.message).orElse("some sidecars could not be configured"));
        }
    }

    private static boolean isConfigured(FaultSessionStatus status) {
        return Conditions.find(status.conditions, SessionStatusAggregator.CONFIGURED)
                .map(c -> Conditions.TRUE.equals(c.status)).orElse(true);
    }

    private static String conditionMessage(FaultSessionStatus status) {
        return Conditions.find(status.conditions, SessionStatusAggregator.READY).map(c -> c.message).orElse(null);
    }

    private Optional<Duration> nextReconcile(SessionResolution resolution, List<PodOutcome> pods, Instant now) {
        Optional<Duration> transition = resolution.window() == null ? Optional.empty()
                : resolution.window().delayUntilNextTransition(now);
        if (pods.stream().anyMatch(p -> p.state() == PodState.Unreachable)) {
            Duration retry = config.sidecar().unreachableRetry();
            return Optional.of(transition.filter(t -> t.compareTo(retry) < 0).orElse(retry));
        }
        return transition;
    }

    private static boolean sameStatus(FaultSessionStatus previous, FaultSessionStatus next) {
        return previous != null && Serialization.asJson(previous).equals(Serialization.asJson(next));
    }
}
