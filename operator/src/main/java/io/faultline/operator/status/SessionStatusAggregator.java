package io.faultline.operator.status;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import io.faultline.crds.common.Condition;
import io.faultline.crds.status.FaultSessionStatus;
import io.faultline.crds.status.PodState;
import io.faultline.crds.status.PodStatus;
import io.faultline.crds.status.SessionPhase;

/**
 * Builds a FaultSession's status from what a reconcile found. Conditions:
 * <ul>
 * <li>{@code Ready}: True when the session is Active and every selected, injected pod that runs runs the desired config
 * (and at least one does); otherwise False with the reason (Pending, Paused, KillSwitch, Expired, InvalidSpec,
 * NoPodsSelected, NoPodsInjected, PodsStarting, NotConfigured).</li>
 * <li>{@code Configured}: True when every selected, injected pod's sidecar that runs reports the desired version, whatever
 * the phase (so it also says when removed faults are really gone). Pods not running yet ({@code Starting}: no IP, or
 * the sidecar container not running) are counted apart: nothing can be pushed to them, and nothing is wrong.</li>
 * </ul>
 */
public final class SessionStatusAggregator {
    public static final String READY = "Ready";
    public static final String CONFIGURED = "Configured";

    private SessionStatusAggregator() {
    }

    /** What the reconcile decided about the session itself. */
    public record Verdict(SessionPhase phase, String reason, String message) {
    }

    public static FaultSessionStatus aggregate(FaultSessionStatus previous, long generation, Verdict verdict,
            Instant startedAt, Instant expiresAt, List<PodOutcome> pods, Instant now) {
        FaultSessionStatus status = new FaultSessionStatus();
        status.phase = verdict.phase();
        status.observedGeneration = generation;
        status.startedAt = startedAt == null ? null : startedAt.toString();
        status.expiresAt = expiresAt == null ? null : expiresAt.toString();
        status.selectedPods = pods.size();
        status.injectedPods = (int) pods.stream().filter(p -> p.state() != PodState.AwaitingInjection).count();
        status.configuredPods = (int) pods.stream().filter(p -> p.state() == PodState.Configured).count();
        status.pods = pods.stream()
                .sorted(Comparator.comparing((PodOutcome p) -> p.state() == PodState.Configured).thenComparing(PodOutcome::podName))
                .limit(FaultSessionStatus.MAX_LISTED_PODS)
                .map(p -> new PodStatus(p.podName(), p.state(), p.configVersion(), p.message()))
                .collect(Collectors.toList());

        long starting = pods.stream().filter(p -> p.state() == PodState.Starting).count();
        boolean allConfigured = status.configuredPods + starting == status.injectedPods;
        List<Condition> conditions = previous == null ? null : previous.conditions;
        conditions = Conditions.set(conditions, configured(allConfigured, status, starting, pods, generation), now);
        conditions = Conditions.set(conditions, ready(verdict, allConfigured, status, starting, generation), now);
        status.conditions = conditions;
        return status;
    }

    private static Condition configured(boolean allConfigured, FaultSessionStatus status, long starting, List<PodOutcome> pods,
            long generation) {
        if (allConfigured) {
            return new Condition(CONFIGURED, Conditions.TRUE, "AllConfigured",
                    status.configuredPods + " of " + status.injectedPods + " injected pods run the desired config"
                            + startingNote(starting), generation, null);
        }
        String failing = pods.stream().filter(p -> p.state() == PodState.Unreachable).limit(3)
                .map(p -> p.podName() + ": " + p.message()).collect(Collectors.joining("; "));
        return new Condition(CONFIGURED, Conditions.FALSE, "PushFailed", status.configuredPods + " of " + status.injectedPods
                + " injected pods run the desired config" + startingNote(starting) + "; " + failing, generation, null);
    }

    private static String startingNote(long starting) {
        return starting == 0 ? "" : " (" + starting + " not running yet, configured when they run)";
    }

    private static Condition ready(Verdict verdict, boolean allConfigured, FaultSessionStatus status, long starting, long generation) {
        if (verdict.phase() != SessionPhase.Active) {
            return new Condition(READY, Conditions.FALSE, verdict.reason(), verdict.message(), generation, null);
        }
        if (status.selectedPods == 0) {
            return new Condition(READY, Conditions.FALSE, "NoPodsSelected", "no pod matches the selector", generation, null);
        }
        if (status.injectedPods == 0) {
            return new Condition(READY, Conditions.FALSE, "NoPodsInjected",
                    status.selectedPods + " pods selected, none runs the Faultline sidecar", generation, null);
        }
        if (starting == status.injectedPods) {
            return new Condition(READY, Conditions.FALSE, "PodsStarting",
                    status.injectedPods + " injected pods selected, none runs yet", generation, null);
        }
        if (!allConfigured) {
            return new Condition(READY, Conditions.FALSE, "NotConfigured",
                    status.configuredPods + " of " + status.injectedPods + " injected pods configured", generation, null);
        }
        return new Condition(READY, Conditions.TRUE, "FaultsActive", verdict.message(), generation, null);
    }
}
