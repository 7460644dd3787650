package io.faultline.operator.selection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.faultline.crds.common.LabelRequirement;
import io.faultline.crds.common.PodSelector;

/**
 * The pods of one namespace indexed by label (key=value), so that a selector is evaluated on the pods that carry one
 * of its required labels instead of on every pod: with S sessions and P pods a sync costs about P index insertions
 * plus S × (pods per required label) matches, not S × P matches. Built from the cache on every sync (nothing is kept
 * between syncs, so the index cannot drift from the cache). The answer is exactly {@link LabelSelectorMatcher}'s: the
 * index only narrows the candidates, the matcher still decides.
 */
public final class PodLabelIndex<T> {
    private final List<T> all;
    private final Function<T, Map<String, String>> labelsOf;
    private final Map<String, Map<String, List<T>>> byKeyAndValue = new HashMap<>();

    public PodLabelIndex(List<T> pods, Function<T, Map<String, String>> labelsOf) {
        this.all = pods;
        this.labelsOf = labelsOf;
        for (T pod : pods) {
            Map<String, String> labels = labelsOf.apply(pod);
            if (labels == null) {
                continue;
            }
            labels.forEach((key, value) -> byKeyAndValue.computeIfAbsent(key, k -> new HashMap<>())
                    .computeIfAbsent(value, v -> new ArrayList<>()).add(pod));
        }
    }

    /** The pods the selector matches, in the order they were given. */
    public List<T> matching(PodSelector selector) {
        if (selector == null) {
            return List.of(); // like LabelSelectorMatcher: a missing selector selects nothing
        }
        return candidates(selector).stream()
                .filter(pod -> LabelSelectorMatcher.matches(selector, labelsOf.apply(pod)))
                .collect(Collectors.toList());
    }

    /**
     * The smallest set of pods that can match, from the selector's positive requirements (a matchLabels entry, an In
     * expression); every pod when it has none (empty selector, only NotIn / Exists / DoesNotExist).
     */
    List<T> candidates(PodSelector selector) {
        List<T> smallest = null;
        if (selector.matchLabels != null) {
            for (Map.Entry<String, String> wanted : selector.matchLabels.entrySet()) {
                List<T> pods = withLabel(wanted.getKey(), wanted.getValue());
                if (smallest == null || pods.size() < smallest.size()) {
                    smallest = pods;
                }
            }
        }
        if (selector.matchExpressions != null) {
            for (LabelRequirement requirement : selector.matchExpressions) {
                if (requirement.operator != LabelRequirement.SelectorOperator.In || requirement.values == null) {
                    continue;
                }
                List<T> pods = withAnyOf(requirement.key, requirement.values);
                if (smallest == null || pods.size() < smallest.size()) {
                    smallest = pods;
                }
            }
        }
        return smallest == null ? all : smallest;
    }

    private List<T> withLabel(String key, String value) {
        return byKeyAndValue.getOrDefault(key, Map.of()).getOrDefault(value, List.of());
    }

    private List<T> withAnyOf(String key, List<String> values) {
        if (values.size() == 1) {
            return withLabel(key, values.get(0));
        }
        Set<T> union = Collections.newSetFromMap(new IdentityHashMap<>());
        for (String value : new LinkedHashSet<>(values)) {
            union.addAll(withLabel(key, value));
        }
        // keep the given order: callers (and the status list) must not depend on hash order
        return all.stream().filter(union::contains).collect(Collectors.toList());
    }
}
