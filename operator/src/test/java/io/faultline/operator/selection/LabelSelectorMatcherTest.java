package io.faultline.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.faultline.crds.common.LabelRequirement;
import io.faultline.crds.common.LabelRequirement.SelectorOperator;
import io.faultline.crds.common.PodSelector;

class LabelSelectorMatcherTest {
    private static final Map<String, String> CHECKOUT = Map.of("app", "checkout", "tier", "web");

    @Test
    void emptySelectorMatchesEveryPodAndMissingSelectorNone() {
        assertThat(LabelSelectorMatcher.matches(new PodSelector(), CHECKOUT)).isTrue();
        assertThat(LabelSelectorMatcher.matches(new PodSelector(), null)).isTrue();
        assertThat(LabelSelectorMatcher.matches(null, CHECKOUT)).isFalse();
    }

    @Test
    void matchLabelsNeedsEveryLabel() {
        assertThat(LabelSelectorMatcher.matches(new PodSelector(Map.of("app", "checkout")), CHECKOUT)).isTrue();
        assertThat(LabelSelectorMatcher.matches(new PodSelector(Map.of("app", "checkout", "tier", "db")), CHECKOUT)).isFalse();
        assertThat(LabelSelectorMatcher.matches(new PodSelector(Map.of("app", "checkout")), Map.of())).isFalse();
    }

    @Test
    void expressionsFollowKubernetesSemantics() {
        assertThat(matches(SelectorOperator.In, "app", "checkout", "cart")).isTrue();
        assertThat(matches(SelectorOperator.In, "app", "cart")).isFalse();
        assertThat(matches(SelectorOperator.NotIn, "app", "cart")).isTrue();
        assertThat(matches(SelectorOperator.NotIn, "absent", "x")).isTrue();
        assertThat(matches(SelectorOperator.Exists, "tier")).isTrue();
        assertThat(matches(SelectorOperator.Exists, "absent")).isFalse();
        assertThat(matches(SelectorOperator.DoesNotExist, "absent")).isTrue();
        assertThat(matches(SelectorOperator.DoesNotExist, "app")).isFalse();
    }

    private static boolean matches(SelectorOperator operator, String key, String... values) {
        LabelRequirement requirement = new LabelRequirement();
        requirement.key = key;
        requirement.operator = operator;
        requirement.values = List.of(values);
        PodSelector selector = new PodSelector();
        selector.matchExpressions = List.of(requirement);
        return LabelSelectorMatcher.matches(selector, CHECKOUT);
    }
}
