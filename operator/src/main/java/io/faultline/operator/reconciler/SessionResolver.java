package io.faultline.operator.reconciler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.status.SessionPhase;
import io.faultline.operator.compiler.QosProfileValidator;
import io.faultline.operator.compiler.ResolvedSession;
import io.faultline.operator.compiler.SessionValidator;
import io.faultline.operator.schedule.ScheduleWindow;
import io.faultline.operator.status.SessionStatusAggregator.Verdict;

/**
 * Decides, for one session, its phase and what the sidecars should get from it. A spec with errors (or a missing or
 * invalid QoS profile) is not half-applied: the session is Failed and the compiler keeps using the last valid spec,
 * so the sidecars keep what they had. The last valid spec is the one this operator saw, or after a restart the one
 * recorded on the session ({@link LastValidSpec}, annotation {@code faultline.io/last-valid-spec}).
 */
@ApplicationScoped
public class SessionResolver {
    private record ValidSnapshot(FaultSessionSpec spec, QoSProfileSpec qos) {
    }

    private final Map<String, ValidSnapshot> lastValid = new ConcurrentHashMap<>();

    public SessionResolution resolve(FaultSession session, NamespaceView view, Instant now) {
        String uid = session.getMetadata().getUid();
        Instant createdAt = createdAt(session);
        FaultSessionSpec spec = session.getSpec();
        List<String> problems = new ArrayList<>(SessionValidator.validate(spec));
        QoSProfileSpec qos = problems.isEmpty() ? resolveProfile(spec, view, problems) : null;

        if (!problems.isEmpty()) {
            ValidSnapshot snapshot = lastValid.get(uid);
            if (snapshot == null) {
                snapshot = LastValidSpec.read(session).map(stored -> new ValidSnapshot(stored.spec(), stored.qos())).orElse(null);
            }
            ResolvedSession effective = snapshot == null ? null : resolved(session, snapshot.spec, snapshot.qos, view, now, createdAt);
            String reason = problems.stream().anyMatch(p -> p.startsWith("spec.qosProfileRef")) ? "QoSProfileUnusable" : "InvalidSpec";
            Verdict verdict = new Verdict(SessionPhase.Failed, reason, String.join("; ", problems)
                    + (effective == null ? "" : " (sidecars keep the last valid spec)"));
            return new SessionResolution(verdict, null, problems, effective);
        }
        lastValid.put(uid, new ValidSnapshot(spec, qos));
        ScheduleWindow window = ScheduleWindow.of(spec.schedule, createdAt);
        ResolvedSession effective = resolved(session, spec, qos, view, now, createdAt);
        return new SessionResolution(verdict(spec, window, view.killSwitch(), now), window, problems, effective);
    }

    /** Forgets a deleted session. */
    public void forget(String uid) {
        lastValid.remove(uid);
    }

    private static Verdict verdict(FaultSessionSpec spec, ScheduleWindow window, boolean killSwitch, Instant now) {
        if (killSwitch) {
            return new Verdict(SessionPhase.Paused, "KillSwitch", "the Faultline kill switch is on: faults removed");
        }
        switch (window.stageAt(now)) {
            case PENDING:
                return new Verdict(SessionPhase.Pending, "Pending", "faults start at " + window.start());
            case EXPIRED:
                return new Verdict(SessionPhase.Expired, "Expired", "faults ended at " + window.expiry().orElseThrow());
            default:
                if (spec.pauseRequested()) {
                    return new Verdict(SessionPhase.Paused, "Paused", "spec.paused is true: faults removed");
                }
                return new Verdict(SessionPhase.Active, "FaultsActive",
                        window.expiry().map(e -> "faults active until " + e).orElse("faults active until the session is deleted"));
        }
    }

    private static ResolvedSession resolved(FaultSession session, FaultSessionSpec spec, QoSProfileSpec qos, NamespaceView view,
            Instant now, Instant createdAt) {
        ScheduleWindow window = ScheduleWindow.of(spec.schedule, createdAt);
        boolean rulesInForce = verdict(spec, window, view.killSwitch(), now).phase() == SessionPhase.Active;
        return new ResolvedSession(session.getMetadata().getNamespace(), session.getMetadata().getName(),
                session.getMetadata().getUid(), createdAt, spec, qos, rulesInForce, window.expiry().orElse(null));
    }

    private static QoSProfileSpec resolveProfile(FaultSessionSpec spec, NamespaceView view, List<String> problems) {
        if (spec.qosProfileRef == null) {
            return null;
        }
        String name = spec.qosProfileRef.name;
        Optional<QoSProfile> profile = view.profile(name);
        if (profile.isEmpty()) {
            problems.add("spec.qosProfileRef: QoSProfile '" + name + "' not found in namespace '" + view.namespace() + "'");
            return null;
        }
        List<String> profileProblems = QosProfileValidator.validate(profile.get().getSpec());
        if (!profileProblems.isEmpty()) {
            problems.add("spec.qosProfileRef: QoSProfile '" + name + "' is invalid: " + String.join("; ", profileProblems));
            return null;
        }
        return profile.get().getSpec();
    }

    static Instant createdAt(FaultSession session) {
        String timestamp = session.getMetadata().getCreationTimestamp();
        return timestamp == null ? Instant.EPOCH : ScheduleWindow.parseInstant(timestamp);
    }
}
