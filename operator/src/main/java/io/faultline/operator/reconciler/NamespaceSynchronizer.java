package io.faultline.operator.reconciler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.crds.FaultSession;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.status.PodState;
import io.faultline.operator.compiler.CompiledConfigMemo;
import io.faultline.operator.compiler.PodConfig;
import io.faultline.operator.compiler.ResolvedSession;
import io.faultline.operator.config.FaultlineConfig;
import io.faultline.operator.selection.LabelSelectorMatcher;
import io.faultline.operator.selection.PodLabelIndex;
import io.faultline.operator.selection.StableSampler;
import io.faultline.operator.sidecar.ConfigPusher;
import io.faultline.operator.sidecar.ConfigPusher.PushResult;
import io.faultline.operator.sidecar.ConfigPusher.PushTarget;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.status.PodOutcome;
import io.faultline.operator.webhook.InjectionAnnotations;
import io.faultline.operator.webhook.InjectionStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Level-triggered heart of the operator: from the cached state of a namespace it computes, for every injected pod,
 * the ProxyConfig merged from all sessions selecting it, and brings each sidecar to it. Every reconcile of any session
 * syncs its whole namespace, so a restart, an edit, a deletion or a pod coming back all converge the same way. Syncs of
 * one namespace are serialized so that an older view can never overwrite a newer one.
 *
 * <p>What keeps a whole-namespace sync cheap (100 sessions × 500 pods; BENCHMARKS.md, operator memory):
 * <ul>
 * <li>Coalescing ({@link #syncFresh}): a reconcile is served by any sync that read the caches after the reconcile asked
 * for one. N reconciles queued behind a running sync are all served by the next one, not by N syncs.</li>
 * <li>Selection through a {@link PodLabelIndex} built from the cache on each sync: a selector is evaluated on the pods
 * carrying one of its required labels, not on every pod.</li>
 * <li>Compiled configs memoized by their inputs ({@link CompiledConfigMemo}): a pod whose sessions, profiles and
 * annotations did not change costs a key comparison; pods already at their desired version cost the pusher a version
 * comparison.</li>
 * </ul>
 * None of this is edge-triggered bookkeeping: each sync still recomputes every pod's desired state from the caches; the
 * memo only avoids recomputing a config from inputs it has seen.
 */
@ApplicationScoped
public class NamespaceSynchronizer {
    /** DEBUG on this category logs how long each phase of a sync took (PropagationBenchmark turns it on). */
    private static final Logger TIMING = Logger.getLogger("io.faultline.operator.timing");
    static final String STARTING_NO_IP = "the pod has no IP yet: configured once it runs (its sidecar starts with the config"
            + " it got at admission)";
    static final String STARTING_SIDECAR = "the faultline-sidecar container is not running (starting or restarting): configured once it runs";
    private final SessionResolver resolver;
    private final ConfigPusher pusher;
    private final int defaultAdminPort;
    /** Per namespace: its sync lock, compiled-config memo, the pods the last sync pushed to, the last sync for coalescing. */
    private final Map<String, NamespaceState> states = new ConcurrentHashMap<>();

    private static final class NamespaceState {
        final ReentrantLock lock = new ReentrantLock();
        final CompiledConfigMemo memo = new CompiledConfigMemo();
        /** Tickets: drawn when a sync is asked for and when a sync reads the caches; they order the two. */
        final AtomicLong tickets = new AtomicLong();
        /** The pods the last sync pushed to: a pod missing from the next one is forgotten by the pusher. */
        Set<String> pushedPods;
        /** The ticket drawn when the last completed sync read the caches, and its result. Guarded by lock. */
        long lastSyncRead = -1;
        NamespaceSyncResult lastResult;
    }

    private final Timer syncs;
    private final Counter coalesced;
    private final Counter compiled;
    private final Counter memoized;

    @Inject
    public NamespaceSynchronizer(SessionResolver resolver, ConfigPusher pusher, FaultlineConfig config, MeterRegistry registry) {
        this.resolver = resolver;
        this.pusher = pusher;
        this.defaultAdminPort = config.sidecar().defaultAdminPort();
        this.syncs = Timer.builder("faultline.namespace.syncs").description("Whole-namespace syncs (resolve, select, compile,"
                + " push) and how long they took").register(registry);
        this.coalesced = Counter.builder("faultline.namespace.syncs.coalesced").description("Reconciles served by a sync"
                + " that another reconcile started after them, instead of a sync of their own").register(registry);
        this.compiled = Counter.builder("faultline.pod.configs.compiled").description("Pod configs compiled").register(registry);
        this.memoized = Counter.builder("faultline.pod.configs.memoized").description("Pod configs taken from the memo of"
                + " compiled configs because their inputs had not changed").register(registry);
    }

    /** Without metrics (tests that build operator parts by hand). */
    public NamespaceSynchronizer(SessionResolver resolver, ConfigPusher pusher, FaultlineConfig config) {
        this(resolver, pusher, config, new SimpleMeterRegistry());
    }

    /**
     * Brings the namespace to the state its caches describe, or returns the result of a sync that read the caches
     * after this call was made. The trigger of the calling reconcile (an event already in the informer cache) is then
     * part of what that sync saw, so its result serves the caller as well as a sync of its own would.
     *
     * @param view reads the namespace from the caches; called under the namespace's lock, right before the sync
     */
    public NamespaceSyncResult syncFresh(String namespace, Supplier<NamespaceView> view) {
        NamespaceState state = state(namespace);
        long asked = state.tickets.incrementAndGet();
        state.lock.lock();
        try {
            if (state.lastResult != null && state.lastSyncRead > asked) {
                TIMING.debugf("sync %s: served by the sync that started after this request", namespace);
                coalesced.increment();
                return state.lastResult;
            }
            long read = state.tickets.incrementAndGet();
            NamespaceSyncResult result = syncLocked(state, view.get(), Instant.now());
            state.lastSyncRead = read;
            state.lastResult = result;
            return result;
        } finally {
            state.lock.unlock();
        }
    }

    /** One sync of exactly this view at this time (no coalescing). */
    public NamespaceSyncResult sync(NamespaceView view, Instant now) {
        NamespaceState state = state(view.namespace());
        state.lock.lock();
        try {
            return syncLocked(state, view, now);
        } finally {
            state.lock.unlock();
        }
    }

    /** Syncs waiting for the namespace's lock (for tests). */
    int waitingSyncs(String namespace) {
        return state(namespace).lock.getQueueLength();
    }

    private NamespaceState state(String namespace) {
        return states.computeIfAbsent(namespace, ns -> new NamespaceState());
    }

    private NamespaceSyncResult syncLocked(NamespaceState namespaceState, NamespaceView view, Instant now) {
        long started = System.nanoTime();
        List<Pod> livePods = view.pods().stream().filter(pod -> !SidecarPods.isGone(pod)).collect(Collectors.toList());
        PodLabelIndex<Pod> podsByLabel = new PodLabelIndex<>(livePods, pod -> pod.getMetadata().getLabels());

        Map<String, SessionResolution> resolutions = new LinkedHashMap<>();
        Map<String, List<Pod>> selectedBySession = new HashMap<>();
        Map<String, List<ResolvedSession>> sessionsByPod = new HashMap<>();
        for (FaultSession session : view.sessions()) {
            if (session.getMetadata().getDeletionTimestamp() != null) {
                continue; // a session being deleted contributes nothing: its cleanup is this very sync
            }
            SessionResolution resolution = resolver.resolve(session, view, now);
            resolutions.put(session.getMetadata().getUid(), resolution);
            List<Pod> selected = select(session, resolution, podsByLabel);
            selectedBySession.put(session.getMetadata().getUid(), selected);
            if (resolution.effective() != null) {
                for (Pod pod : selected) {
                    sessionsByPod.computeIfAbsent(pod.getMetadata().getUid(), k -> new ArrayList<>()).add(resolution.effective());
                }
            }
        }

        long resolved = System.nanoTime();
        Map<String, PodOutcome> outcomeByPod = new HashMap<>();
        Map<String, Map<String, List<String>>> conflictsByPod = new HashMap<>();
        List<PushTarget> pushes = new ArrayList<>();
        CompiledConfigMemo memo = namespaceState.memo;
        memo.beginPass();
        for (Pod pod : livePods) {
            String uid = pod.getMetadata().getUid();
            String name = pod.getMetadata().getName();
            if (!SidecarPods.isInjected(pod)) {
                outcomeByPod.put(uid, new PodOutcome(name, PodState.AwaitingInjection, null, "no faultline-sidecar container"));
                continue;
            }
            Optional<String> admin;
            try {
                admin = SidecarPods.adminBaseUri(pod, defaultAdminPort);
            } catch (IllegalArgumentException e) {
                outcomeByPod.put(uid, new PodOutcome(name, PodState.Unreachable, null, e.getMessage()));
                continue;
            }
            if (admin.isEmpty()) {
                outcomeByPod.put(uid, new PodOutcome(name, PodState.Starting, null, STARTING_NO_IP));
                continue;
            }
            if (!SidecarPods.sidecarRunning(pod)) {
                outcomeByPod.put(uid, new PodOutcome(name, PodState.Starting, null, STARTING_SIDECAR));
                continue;
            }
            // the pod's injected listeners (InjectionStatus) stay whatever the sessions say: its Services flow through them
            PodConfig config = memo.configFor(sessionsByPod.getOrDefault(uid, List.of()), SidecarPods.listenHost(pod),
                    injectionStatus(pod), () -> InjectionStatus.baselineTargets(pod));
            conflictsByPod.put(uid, config.conflicts());
            pushes.add(new PushTarget(uid, name, admin.get(), SidecarPods.sidecarInstance(pod), config));
        }
        memo.endPass();
        compiled.increment(memo.compiles());
        memoized.increment(memo.reuses());
        long compiledAt = System.nanoTime();
        List<PushResult> results = pusher.pushAll(pushes);
        long pushed = System.nanoTime();
        syncs.record(pushed - started, TimeUnit.NANOSECONDS);
        forgetPodsNoLongerPushed(namespaceState, pushes);
        TIMING.debugf("sync %s: %d sessions, %d pods; resolve+select %d ms, compile %d ms (%d compiled, %d memoized), push %d ms",
                view.namespace(), view.sessions().size(), livePods.size(), millis(started, resolved), millis(resolved, compiledAt),
                memo.compiles(), memo.reuses(), millis(compiledAt, pushed));
        for (int i = 0; i < pushes.size(); i++) {
            PushResult result = results.get(i);
            PodState state = result.configured() ? PodState.Configured : PodState.Unreachable;
            outcomeByPod.put(pushes.get(i).podUid(), new PodOutcome(result.podName(), state, result.version(), result.message()));
        }

        Map<String, List<PodOutcome>> podsBySession = new HashMap<>();
        selectedBySession.forEach((sessionUid, pods) -> {
            String sessionName = resolutions.get(sessionUid).effective() == null ? null : resolutions.get(sessionUid).effective().name();
            podsBySession.put(sessionUid, pods.stream()
                    .map(pod -> withConflicts(outcomeByPod.get(pod.getMetadata().getUid()),
                            conflictsByPod.getOrDefault(pod.getMetadata().getUid(), Map.of()).get(sessionName)))
                    .collect(Collectors.toList()));
        });
        Map<String, PodOutcome> byName = new HashMap<>();
        outcomeByPod.values().forEach(outcome -> byName.put(outcome.podName(), outcome));
        return new NamespaceSyncResult(now, resolutions, podsBySession, byName);
    }

    private static List<Pod> select(FaultSession session, SessionResolution resolution, PodLabelIndex<Pod> podsByLabel) {
        FaultSessionSpec spec = resolution.effective() == null ? null : resolution.effective().spec();
        if (spec == null) {
            return List.of();
        }
        return StableSampler.choose(session.getMetadata().getUid(), spec.sampling, podsByLabel.matching(spec.selector),
                pod -> pod.getMetadata().getUid());
    }

    /** The pods a session with this spec chooses among {@code pods} (selector, then stable sampling). */
    public static List<Pod> select(FaultSession session, FaultSessionSpec spec, List<Pod> pods) {
        if (spec == null) {
            return List.of();
        }
        List<Pod> matching = pods.stream()
                .filter(pod -> !SidecarPods.isGone(pod))
                .filter(pod -> LabelSelectorMatcher.matches(spec.selector, pod.getMetadata().getLabels()))
                .collect(Collectors.toList());
        return StableSampler.choose(session.getMetadata().getUid(), spec.sampling, matching, pod -> pod.getMetadata().getUid());
    }

    private static String injectionStatus(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(InjectionAnnotations.STATUS);
    }

    /** Deleted, finished or no longer reachable pods: the pusher's memory of them would only grow. */
    private void forgetPodsNoLongerPushed(NamespaceState state, List<PushTarget> pushes) {
        Set<String> now = pushes.stream().map(PushTarget::podUid).collect(Collectors.toSet());
        Set<String> before = state.pushedPods;
        state.pushedPods = now;
        if (before != null) {
            before.stream().filter(uid -> !now.contains(uid)).forEach(pusher::forget);
        }
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    private static PodOutcome withConflicts(PodOutcome outcome, List<String> conflicts) {
        if (conflicts == null || conflicts.isEmpty()) {
            return outcome;
        }
        String message = (outcome.message() == null ? "" : outcome.message() + "; ") + String.join("; ", conflicts);
        return new PodOutcome(outcome.podName(), outcome.state(), outcome.configVersion(), message);
    }
}
