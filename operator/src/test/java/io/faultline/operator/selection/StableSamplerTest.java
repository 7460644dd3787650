package io.faultline.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.faultline.crds.spec.Sampling;
import io.faultline.crds.spec.Sampling.SamplingMode;

class StableSamplerTest {
    private static final Function<String, String> UID = Function.identity();
    private static final List<String> PODS = IntStream.range(0, 40).mapToObj(i -> "pod-uid-" + i).collect(Collectors.toList());

    @Test
    void sampleSizeFollowsTheMode() {
        assertThat(StableSampler.sampleSize(null, 7)).isEqualTo(7);
        assertThat(StableSampler.sampleSize(new Sampling(SamplingMode.All, null), 7)).isEqualTo(7);
        assertThat(StableSampler.sampleSize(new Sampling(SamplingMode.One, null), 7)).isEqualTo(1);
        assertThat(StableSampler.sampleSize(new Sampling(SamplingMode.One, null), 0)).isZero();
        assertThat(StableSampler.sampleSize(new Sampling(SamplingMode.Count, 3), 7)).isEqualTo(3);
        assertThat(StableSampler.sampleSize(new Sampling(SamplingMode.Count, 30), 7)).isEqualTo(7);
        assertThat(StableSampler.sampleSize(new Sampling(SamplingMode.Percent, 50), 7)).isEqualTo(4); // rounded up
        assertThat(StableSampler.sampleSize(new Sampling(SamplingMode.Percent, 1), 7)).isEqualTo(1);
        assertThat(StableSampler.sampleSize(new Sampling(SamplingMode.Percent, 100), 7)).isEqualTo(7);
    }

    @Test
    void choiceDoesNotDependOnListingOrder() {
        Sampling five = new Sampling(SamplingMode.Count, 5);
        List<String> shuffled = new ArrayList<>(PODS);
        Collections.shuffle(shuffled, new Random(42));

        Set<String> first = new HashSet<>(StableSampler.choose("session-a", five, PODS, UID));
        Set<String> second = new HashSet<>(StableSampler.choose("session-a", five, shuffled, UID));

        assertThat(first).hasSize(5).isEqualTo(second);
    }

    @Test
    void removingAnUnchosenPodChangesNothingAndAddingOneChangesAtMostOne() {
        Sampling five = new Sampling(SamplingMode.Count, 5);
        List<String> chosen = StableSampler.choose("session-a", five, PODS, UID);
        List<String> fewer = new ArrayList<>(PODS);
        fewer.removeAll(PODS.stream().filter(p -> !chosen.contains(p)).limit(10).collect(Collectors.toList()));

        assertThat(StableSampler.choose("session-a", five, fewer, UID)).containsExactlyElementsOf(chosen);

        List<String> more = new ArrayList<>(PODS);
        more.add("pod-uid-new");
        Set<String> after = new HashSet<>(StableSampler.choose("session-a", five, more, UID));
        after.retainAll(chosen);
        assertThat(after).hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void removingAChosenPodReplacesOnlyThatPod() {
        Sampling five = new Sampling(SamplingMode.Count, 5);
        List<String> chosen = StableSampler.choose("session-a", five, PODS, UID);
        List<String> without = new ArrayList<>(PODS);
        without.remove(chosen.get(0));

        List<String> after = StableSampler.choose("session-a", five, without, UID);

        assertThat(after).hasSize(5).containsAll(chosen.subList(1, 5)).doesNotContain(chosen.get(0));
    }

    @Test
    void differentSessionsChooseDifferentPods() {
        Sampling one = new Sampling(SamplingMode.One, null);
        Set<String> picks = IntStream.range(0, 20)
                .mapToObj(i -> StableSampler.choose("session-" + i, one, PODS, UID).get(0))
                .collect(Collectors.toSet());

        assertThat(picks.size()).as("20 sessions picking one of 40 pods spread out").isGreaterThan(5);
    }
}
