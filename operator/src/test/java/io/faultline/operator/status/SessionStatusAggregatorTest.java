package io.faultline.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.faultline.crds.common.Condition;
import io.faultline.crds.status.FaultSessionStatus;
import io.faultline.crds.status.PodState;
import io.faultline.crds.status.SessionPhase;
import io.faultline.operator.status.SessionStatusAggregator.Verdict;

class SessionStatusAggregatorTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Verdict ACTIVE = new Verdict(SessionPhase.Active, "FaultsActive", "faults active");

    @Test
    void countsPodsAndIsReadyWhenEveryInjectedPodIsConfigured() {
        List<PodOutcome> pods = List.of(
                new PodOutcome("a", PodState.Configured, "v1", null),
                new PodOutcome("b", PodState.Configured, "v1", null),
                new PodOutcome("c", PodState.AwaitingInjection, null, "no faultline-sidecar container"));

        FaultSessionStatus status = SessionStatusAggregator.aggregate(null, 3, ACTIVE, T0, null, pods, T0);

        assertThat(status.phase).isEqualTo(SessionPhase.Active);
        assertThat(status.observedGeneration).isEqualTo(3);
        assertThat(List.of(status.selectedPods, status.injectedPods, status.configuredPods)).containsExactly(3, 2, 2);
        Condition ready = Conditions.find(status.conditions, "Ready").orElseThrow();
        assertThat(ready.status).isEqualTo("True");
        assertThat(ready.observedGeneration).isEqualTo(3);
        assertThat(ready.lastTransitionTime).isEqualTo(T0.toString());
        assertThat(status.pods.get(0).name).isEqualTo("c"); // pods needing attention first
    }

    @Test
    void podsThatDoNotRunYetAreNeitherConfiguredNorAFailure() {
        List<PodOutcome> pods = List.of(
                new PodOutcome("a", PodState.Configured, "v1", null),
                new PodOutcome("b", PodState.Starting, null, "the pod has no IP yet"));

        FaultSessionStatus status = SessionStatusAggregator.aggregate(null, 1, ACTIVE, T0, null, pods, T0);

        assertThat(List.of(status.selectedPods, status.injectedPods, status.configuredPods)).containsExactly(2, 2, 1);
        Condition configured = Conditions.find(status.conditions, "Configured").orElseThrow();
        assertThat(configured.status).isEqualTo("True");
        assertThat(configured.message).isEqualTo("1 of 2 injected pods run the desired config (1 not running yet, configured when"
                + " they run)");
        assertThat(Conditions.find(status.conditions, "Ready").orElseThrow().status).isEqualTo("True");

        FaultSessionStatus onlyStarting = SessionStatusAggregator.aggregate(null, 1, ACTIVE, T0, null,
                List.of(new PodOutcome("b", PodState.Starting, null, "the pod has no IP yet")), T0);
        Condition ready = Conditions.find(onlyStarting.conditions, "Ready").orElseThrow();
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.reason).isEqualTo("PodsStarting");
        assertThat(Conditions.find(onlyStarting.conditions, "Configured").orElseThrow().status).isEqualTo("True");
    }

    @Test
    void keepsLastTransitionTimeWhileTheStatusStaysTheSame() {
        List<PodOutcome> configured = List.of(new PodOutcome("a", PodState.Configured, "v1", null));
        FaultSessionStatus first = SessionStatusAggregator.aggregate(null, 1, ACTIVE, T0, null, configured, T0);
        FaultSessionStatus second = SessionStatusAggregator.aggregate(first, 2, ACTIVE, T0, null, configured, T0.plusSeconds(60));
        List<PodOutcome> broken = List.of(new PodOutcome("a", PodState.Unreachable, null, "connection refused"));
        FaultSessionStatus third = SessionStatusAggregator.aggregate(second, 2, ACTIVE, T0, null, broken, T0.plusSeconds(120));

        Condition ready2 = Conditions.find(second.conditions, "Ready").orElseThrow();
        assertThat(ready2.lastTransitionTime).isEqualTo(T0.toString());
        assertThat(ready2.observedGeneration).isEqualTo(2);
        Condition ready3 = Conditions.find(third.conditions, "Ready").orElseThrow();
        assertThat(ready3.status).isEqualTo("False");
        assertThat(ready3.reason).isEqualTo("NotConfigured");
        assertThat(ready3.lastTransitionTime).isEqualTo(T0.plusSeconds(120).toString());
        Condition configured3 = Conditions.find(third.conditions, "Configured").orElseThrow();
        assertThat(configured3.reason).isEqualTo("PushFailed");
        assertThat(configured3.message).contains("a: connection refused");
    }

    @Test
    void notReadyOutsideTheActivePhaseWithTheVerdictsReason() {
        Verdict paused = new Verdict(SessionPhase.Paused, "Paused", "spec.paused is true: faults removed");
        FaultSessionStatus status = SessionStatusAggregator.aggregate(null, 1, paused, T0, null,
                List.of(new PodOutcome("a", PodState.Configured, "v2", null)), T0);

        Condition ready = Conditions.find(status.conditions, "Ready").orElseThrow();
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.reason).isEqualTo("Paused");
        assertThat(Conditions.find(status.conditions, "Configured").orElseThrow().status).isEqualTo("True");
    }

    @Test
    void noSelectedPodsIsNotReady() {
        FaultSessionStatus status = SessionStatusAggregator.aggregate(null, 1, ACTIVE, T0, null, List.of(), T0);
        assertThat(Conditions.find(status.conditions, "Ready").orElseThrow().reason).isEqualTo("NoPodsSelected");
    }

    @Test
    void listsAtMostTwentyPodsButCountsThemAll() {
        List<PodOutcome> pods = IntStream.range(0, 50)
                .mapToObj(i -> new PodOutcome(String.format("pod-%02d", i), i == 30 ? PodState.Unreachable : PodState.Configured, null, null))
                .collect(Collectors.toList());

        FaultSessionStatus status = SessionStatusAggregator.aggregate(null, 1, ACTIVE, T0, null, pods, T0);

        assertThat(status.pods).hasSize(FaultSessionStatus.MAX_LISTED_PODS);
        assertThat(status.pods.get(0).name).isEqualTo("pod-30");
        assertThat(status.selectedPods).isEqualTo(50);
        assertThat(status.configuredPods).isEqualTo(49);
    }
}
