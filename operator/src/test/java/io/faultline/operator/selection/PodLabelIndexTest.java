package io.faultline.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.faultline.crds.common.LabelRequirement;
import io.faultline.crds.common.LabelRequirement.SelectorOperator;
import io.faultline.crds.common.PodSelector;

/** The index answers exactly what scanning every pod with LabelSelectorMatcher answers, in the same order. */
class PodLabelIndexTest {
    private record FakePod(String name, Map<String, String> labels) {
    }

    private static final String[] KEYS = {"app", "tier", "zone"};
    private static final String[] VALUES = {"a", "b", "c"};

    @Test
    void agreesWithAScanForEverySelectorShape() {
        Random random = new Random(42);
        List<FakePod> pods = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            pods.add(new FakePod("pod-" + i, randomLabels(random, true)));
        }
        PodLabelIndex<FakePod> index = new PodLabelIndex<>(pods, FakePod::labels);

        for (int i = 0; i < 2_000; i++) {
            PodSelector selector = randomSelector(random);
            List<FakePod> scanned = pods.stream().filter(pod -> LabelSelectorMatcher.matches(selector, pod.labels()))
                    .collect(Collectors.toList());
            assertThat(index.matching(selector)).as("selector %s / %s", selector.matchLabels, describe(selector)).isEqualTo(scanned);
        }
    }

    @Test
    void aRequiredLabelNarrowsTheCandidates() {
        List<FakePod> pods = List.of(new FakePod("a", Map.of("app", "a")), new FakePod("b", Map.of("app", "b")),
                new FakePod("c", Map.of("app", "a", "tier", "db")));
        PodLabelIndex<FakePod> index = new PodLabelIndex<>(pods, FakePod::labels);

        assertThat(index.candidates(new PodSelector(Map.of("app", "a", "tier", "db")))).extracting(FakePod::name)
                .containsExactly("c");
        assertThat(index.candidates(selector(requirement("app", SelectorOperator.In, "b", "x")))).extracting(FakePod::name)
                .containsExactly("b");
        assertThat(index.candidates(selector(requirement("app", SelectorOperator.NotIn, "b")))).hasSize(3);
        assertThat(index.matching(null)).isEmpty();
        assertThat(index.matching(new PodSelector())).hasSize(3);
    }

    @Test
    void podsWithoutLabelsAreIndexedAndMatchedLikeAScan() {
        List<FakePod> pods = new ArrayList<>();
        pods.add(new FakePod("bare", null));
        pods.add(new FakePod("labelled", Map.of("app", "a")));
        PodLabelIndex<FakePod> index = new PodLabelIndex<>(pods, FakePod::labels);

        assertThat(index.matching(selector(requirement("app", SelectorOperator.DoesNotExist)))).extracting(FakePod::name)
                .containsExactly("bare");
        assertThat(index.matching(new PodSelector())).extracting(FakePod::name).containsExactly("bare", "labelled");
    }

    private static Map<String, String> randomLabels(Random random, boolean allowNone) {
        Map<String, String> labels = new HashMap<>();
        for (String key : KEYS) {
            if (random.nextInt(3) > 0) {
                labels.put(key, VALUES[random.nextInt(VALUES.length)]);
            }
        }
        return labels.isEmpty() && allowNone && random.nextBoolean() ? null : labels;
    }

    private static PodSelector randomSelector(Random random) {
        PodSelector selector = new PodSelector();
        if (random.nextBoolean()) {
            Map<String, String> labels = randomLabels(random, false);
            selector.matchLabels = labels.isEmpty() ? null : labels;
        }
        if (random.nextBoolean()) {
            List<LabelRequirement> requirements = new ArrayList<>();
            int count = 1 + random.nextInt(3);
            for (int i = 0; i < count; i++) {
                SelectorOperator operator = SelectorOperator.values()[random.nextInt(SelectorOperator.values().length)];
                String key = KEYS[random.nextInt(KEYS.length)];
                boolean withValues = operator == SelectorOperator.In || operator == SelectorOperator.NotIn;
                requirements.add(withValues
                        ? requirement(key, operator, VALUES[random.nextInt(VALUES.length)], VALUES[random.nextInt(VALUES.length)])
                        : requirement(key, operator));
            }
            selector.matchExpressions = requirements;
        }
        return selector;
    }

    private static PodSelector selector(LabelRequirement... requirements) {
        PodSelector selector = new PodSelector();
        selector.matchExpressions = List.of(requirements);
        return selector;
    }

    private static LabelRequirement requirement(String key, SelectorOperator operator, String... values) {
        LabelRequirement requirement = new LabelRequirement();
        requirement.key = key;
        requirement.operator = operator;
        requirement.values = List.of(values);
        return requirement;
    }

    private static String describe(PodSelector selector) {
        return selector.matchExpressions == null ? "-" : selector.matchExpressions.stream()
                .map(r -> r.key + " " + r.operator + " " + r.values).collect(Collectors.joining(", "));
    }
}
