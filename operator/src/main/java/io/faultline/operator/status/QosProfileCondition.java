package io.faultline.operator.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.faultline.crds.common.Condition;
import io.faultline.operator.compiler.QosCoverage;
import io.faultline.operator.compiler.ResolvedSession;

/**
 * The {@code QoSProfileApplied} condition of a session with a QoS profile: True (reason {@code Applied}) when every
 * field of the profile acts on every target, False (reason {@code PartiallyApplied}) with a message naming the
 * profile, field and targets when some field cannot (loss on http targets, see {@link QosCoverage}). The session is
 * not failed for that: the rest of the profile applies. Absent when the session has no profile.
 */
public final class QosProfileCondition {
    public static final String TYPE = "QoSProfileApplied";
    public static final String PARTIALLY_APPLIED = "PartiallyApplied";

    private QosProfileCondition() {
    }

    /**
     * @param session what the compiler uses for the session (its valid spec and resolved profile); when the current
     *        spec is invalid the caller keeps the previous condition instead
     */
    public static List<Condition> update(List<Condition> conditions, ResolvedSession session, long generation, Instant now) {
        if (session == null || session.qos() == null || session.spec().qosProfileRef == null) {
            return remove(conditions);
        }
        String profile = session.spec().qosProfileRef.name;
        List<String> gaps = QosCoverage.gaps(profile, session.qos(), session.spec());
        Condition desired = gaps.isEmpty()
                ? new Condition(TYPE, Conditions.TRUE, "Applied", "QoSProfile '" + profile + "' applies in full to every target",
                        generation, null)
                : new Condition(TYPE, Conditions.FALSE, PARTIALLY_APPLIED, String.join("; ", gaps), generation, null);
        return Conditions.set(conditions, desired, now);
    }

    private static List<Condition> remove(List<Condition> conditions) {
        List<Condition> kept = new ArrayList<>();
        if (conditions != null) {
            conditions.stream().filter(c -> !c.type.equals(TYPE)).forEach(kept::add);
        }
        return kept;
    }
}
