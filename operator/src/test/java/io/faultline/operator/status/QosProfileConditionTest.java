package io.faultline.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.faultline.crds.common.Condition;
import io.faultline.crds.common.PodSelector;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.qos.QosLatency;
import io.faultline.crds.qos.QosLoss;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.ProfileReference;
import io.faultline.crds.spec.Target;
import io.faultline.crds.spec.TargetProtocol;
import io.faultline.operator.compiler.ResolvedSession;

class QosProfileConditionTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void lossOnAnHttpTargetIsReportedNamingProfileFieldAndTargetWithoutFailingTheSession() {
        QoSProfileSpec qos = profile(true);

        List<Condition> conditions = QosProfileCondition.update(List.of(), session(TargetProtocol.HTTP, qos), 3, T0);

        Condition c = conditions.get(0);
        assertThat(List.of(c.type, c.status, c.reason)).containsExactly("QoSProfileApplied", "False", "PartiallyApplied");
        assertThat(c.message).startsWith("QoSProfile 'flaky-3g' loss is not applied to HTTP requests on http target 'web': ");
        assertThat(c.observedGeneration).isEqualTo(3);
    }

    @Test
    void aProfileThatFitsEveryTargetIsAppliedAndTheTransitionTimeStaysWhileItDoes() {
        List<Condition> first = QosProfileCondition.update(List.of(), session(TargetProtocol.TCP, profile(true)), 1, T0);
        List<Condition> later = QosProfileCondition.update(first, session(TargetProtocol.HTTP, profile(false)), 2, T0.plusSeconds(60));

        assertThat(later).singleElement().satisfies(c -> {
            assertThat(List.of(c.status, c.reason)).containsExactly("True", "Applied");
            assertThat(c.lastTransitionTime).isEqualTo(T0.toString());
            assertThat(c.message).isEqualTo("QoSProfile 'flaky-3g' applies in full to every target");
        });
    }

    @Test
    void theConditionGoesWithTheProfileReference() {
        List<Condition> with = QosProfileCondition.update(List.of(), session(TargetProtocol.HTTP, profile(true)), 1, T0);
        ResolvedSession without = session(TargetProtocol.HTTP, null);
        without.spec().qosProfileRef = null;

        assertThat(QosProfileCondition.update(with, without, 2, T0)).isEmpty();
    }

    private static QoSProfileSpec profile(boolean loss) {
        QoSProfileSpec qos = new QoSProfileSpec();
        qos.latency = new QosLatency();
        qos.latency.mean = "100ms";
        if (loss) {
            qos.loss = new QosLoss();
            qos.loss.probability = 0.02;
        }
        return qos;
    }

    private static ResolvedSession session(TargetProtocol protocol, QoSProfileSpec qos) {
        Target web = new Target();
        web.name = "web";
        web.port = 8080;
        web.protocol = protocol;
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of("app", "web"));
        spec.targets = List.of(web);
        spec.qosProfileRef = new ProfileReference("flaky-3g");
        return new ResolvedSession("shop", "s", "uid-s", T0, spec, qos, true, null);
    }
}
