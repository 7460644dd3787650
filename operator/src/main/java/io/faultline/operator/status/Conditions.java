package io.faultline.operator.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.faultline.crds.common.Condition;

/** Updates a list of metav1-style conditions, keeping lastTransitionTime while a condition's status stays the same. */
public final class Conditions {
    public static final String TRUE = "True";
    public static final String FALSE = "False";

    private Conditions() {
    }

    /**
     * The conditions with {@code desired} set: reason, message and observedGeneration are always taken from
     * {@code desired}; lastTransitionTime is {@code now} only when the status changed (or the type is new).
     */
    public static List<Condition> set(List<Condition> current, Condition desired, Instant now) {
        List<Condition> result = new ArrayList<>();
        boolean replaced = false;
        for (Condition existing : current == null ? List.<Condition> of() : current) {
            if (existing.type.equals(desired.type)) {
                result.add(merged(existing, desired, now));
                replaced = true;
            } else {
                result.add(existing);
            }
        }
        if (!replaced) {
            result.add(withTransition(desired, now.toString()));
        }
        return result;
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty() : conditions.stream().filter(c -> c.type.equals(type)).findFirst();
    }

    private static Condition merged(Condition existing, Condition desired, Instant now) {
        boolean sameStatus = existing.status.equals(desired.status) && existing.lastTransitionTime != null;
        return withTransition(desired, sameStatus ? existing.lastTransitionTime : now.toString());
    }

    private static Condition withTransition(Condition desired, String lastTransitionTime) {
        return new Condition(desired.type, desired.status, desired.reason, desired.message, desired.observedGeneration,
                lastTransitionTime);
    }
}
