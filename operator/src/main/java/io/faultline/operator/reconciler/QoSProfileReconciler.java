package io.faultline.operator.reconciler;

import java.time.Instant;
import java.util.List;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;
import io.faultline.crds.common.Condition;
import io.faultline.crds.qos.QoSProfileStatus;
import io.faultline.operator.compiler.QosProfileValidator;
import io.faultline.operator.status.Conditions;

/**
 * Validates QoSProfiles and reports how many sessions use each. Re-pushing to the pods of sessions that use a changed
 * profile is the FaultSession controller's job: it watches QoSProfiles and reconciles the sessions referring to them.
 */
@ControllerConfiguration(name = QoSProfileReconciler.NAME)
public class QoSProfileReconciler implements Reconciler<QoSProfile> {
    public static final String NAME = "qosprofile";

    private final EventRecorder events;

    public QoSProfileReconciler(EventRecorder events) {
        this.events = events;
    }

    @Override
    public UpdateControl<QoSProfile> reconcile(QoSProfile profile, Context<QoSProfile> context) {
        List<String> problems = QosProfileValidator.validate(profile.getSpec());
        long generation = profile.getMetadata().getGeneration() == null ? 0 : profile.getMetadata().getGeneration();
        Condition ready = problems.isEmpty()
                ? new Condition("Ready", Conditions.TRUE, "Valid", "the profile can be applied", generation, null)
                : new Condition("Ready", Conditions.FALSE, "Invalid", String.join("; ", problems), generation, null);

        QoSProfileStatus previous = profile.getStatus();
        QoSProfileStatus status = new QoSProfileStatus();
        status.observedGeneration = generation;
        status.conditions = Conditions.set(previous == null ? null : previous.conditions, ready, Instant.now());
        status.sessions = (int) context.getClient().resources(FaultSession.class)
                .inNamespace(profile.getMetadata().getNamespace()).list().getItems().stream()
                .filter(s -> s.getSpec() != null && s.getSpec().qosProfileRef != null
                        && profile.getMetadata().getName().equals(s.getSpec().qosProfileRef.name))
                .count();

        boolean wasInvalid = previous != null && Conditions.find(previous.conditions, "Ready")
                .map(c -> Conditions.FALSE.equals(c.status) && c.message.equals(ready.message)).orElse(false);
        if (!problems.isEmpty() && !wasInvalid) {
            events.warning(profile, "Invalid", ready.message);
        }
        if (previous != null && Serialization.asJson(previous).equals(Serialization.asJson(status))) {
            return UpdateControl.noUpdate();
        }
        QoSProfile owned = OwnedFields.of(profile); // the status only (see OwnedFields)
        owned.setStatus(status);
        return UpdateControl.patchStatus(owned);
    }
}
