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
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.crds.FaultSession;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.status.PodState;
import io.faultline.operator.compiler.PodConfig;
import io.faultline.operator.compiler.ProxyConfigCompiler;
import io.faultline.operator.compiler.ResolvedSession;
import io.faultline.operator.config.FaultlineConfig;
import io.faultline.operator.selection.LabelSelectorMatcher;
import io.faultline.operator.selection.StableSampler;
import io.faultline.operator.sidecar.ConfigPusher;
import io.faultline.operator.sidecar.ConfigPusher.PushResult;
import io.faultline.operator.sidecar.ConfigPusher.PushTarget;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.status.PodOutcome;
import io.faultline.operator.webhook.InjectionStatus;

/**
 * Level-triggered heart of the operator: from the cached state of a namespace it computes, for every injected pod,
 * the ProxyConfig merged from all sessions selecting it, and brings each sidecar to it. Every reconcile of any session
 * syncs its whole namespace (pods already at their desired version cost a hash comparison), so a restart, an edit, a
 * deletion or a pod coming back all converge the same way. Syncs of one namespace are serialized so that an older view
 * can never overwrite a newer one.
 */
@ApplicationScoped
public class NamespaceSynchronizer {
    /** DEBUG on this category logs how long each phase of a sync took (PropagationBenchmark turns it on). */
    private static final Logger TIMING = Logger.getLogger("io.faultline.operator.timing");
    private final SessionResolver resolver;
    private final ConfigPusher pusher;
    private final int defaultAdminPort;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** Per namespace, the pods the last sync pushed to: a pod missing from the next one is forgotten by the pusher. */
    private final Map<String, Set<String>> pushedPods = new ConcurrentHashMap<>();

    public NamespaceSynchronizer(SessionResolver resolver, ConfigPusher pusher, FaultlineConfig config) {
        this.resolver = resolver;
        this.pusher = pusher;
        this.defaultAdminPort = config.sidecar().defaultAdminPort();
    }

    public NamespaceSyncResult sync(NamespaceView view, Instant now) {
        ReentrantLock lock = locks.computeIfAbsent(view.namespace(), ns -> new ReentrantLock());
        lock.lock();
        try {
            return syncLocked(view, now);
        } finally {
            lock.unlock();
        }
    }

    private NamespaceSyncResult syncLocked(NamespaceView view, Instant now) {
        long started = System.nanoTime();
        List<Pod> livePods = view.pods().stream().filter(pod -> !SidecarPods.isGone(pod)).collect(Collectors.toList());

        Map<String, SessionResolution> resolutions = new LinkedHashMap<>();
        Map<String, List<Pod>> selectedBySession = new HashMap<>();
        Map<String, List<ResolvedSession>> sessionsByPod = new HashMap<>();
        for (FaultSession session : view.sessions()) {
            if (session.getMetadata().getDeletionTimestamp() != null) {
                continue; // a session being deleted contributes nothing: its cleanup is this very sync
            }
            SessionResolution resolution = resolver.resolve(session, view, now);
            resolutions.put(session.getMetadata().getUid(), resolution);
            List<Pod> selected = select(session, resolution, livePods);
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
                outcomeByPod.put(uid, new PodOutcome(name, PodState.Unreachable, null, "pod has no IP yet"));
                continue;
            }
            // the pod's injected listeners (InjectionStatus) stay whatever the sessions say: its Services flow through them
            PodConfig config = ProxyConfigCompiler.compile(sessionsByPod.getOrDefault(uid, List.of()), SidecarPods.listenHost(pod),
                    InjectionStatus.baselineTargets(pod));
            conflictsByPod.put(uid, config.conflicts());
            pushes.add(new PushTarget(uid, name, admin.get(), SidecarPods.sidecarInstance(pod), config));
        }
        long compiled = System.nanoTime();
        List<PushResult> results = pusher.pushAll(pushes);
        long pushed = System.nanoTime();
        forgetPodsNoLongerPushed(view.namespace(), pushes);
        TIMING.debugf("sync %s: %d sessions, %d pods; resolve+select %d ms, compile %d ms, push %d ms",
                view.namespace(), view.sessions().size(), livePods.size(), millis(started, resolved), millis(resolved, compiled),
                millis(compiled, pushed));
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
        return new NamespaceSyncResult(resolutions, podsBySession, byName);
    }

    private static List<Pod> select(FaultSession session, SessionResolution resolution, List<Pod> pods) {
        if (resolution.effective() == null) {
            return List.of();
        }
        return select(session, resolution.effective().spec(), pods);
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

    /** Deleted, finished or no longer reachable pods: the pusher's memory of them would only grow. */
    private void forgetPodsNoLongerPushed(String namespace, List<PushTarget> pushes) {
        Set<String> now = pushes.stream().map(PushTarget::podUid).collect(Collectors.toSet());
        Set<String> before = pushedPods.put(namespace, now);
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
