package io.faultline.operator.selection;

import java.util.Map;

import io.faultline.crds.common.LabelRequirement;
import io.faultline.crds.common.PodSelector;

/** Kubernetes label-selector semantics: every matchLabels entry and every matchExpressions requirement must hold. */
public final class LabelSelectorMatcher {
    private LabelSelectorMatcher() {
    }

    public static boolean matches(PodSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false; // a missing selector selects nothing (an empty one selects everything)
        }
        Map<String, String> podLabels = labels == null ? Map.of() : labels;
        if (selector.matchLabels != null) {
            for (Map.Entry<String, String> wanted : selector.matchLabels.entrySet()) {
                if (!wanted.getValue().equals(podLabels.get(wanted.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.matchExpressions != null) {
            for (LabelRequirement requirement : selector.matchExpressions) {
                if (!holds(requirement, podLabels)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean holds(LabelRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.key);
        switch (requirement.operator) {
            case In:
                return value != null && requirement.values.contains(value);
            case NotIn:
                return value == null || !requirement.values.contains(value);
            case Exists:
                return labels.containsKey(requirement.key);
            case DoesNotExist:
                return !labels.containsKey(requirement.key);
            default:
                throw new IllegalArgumentException("unknown selector operator " + requirement.operator);
        }
    }
}
