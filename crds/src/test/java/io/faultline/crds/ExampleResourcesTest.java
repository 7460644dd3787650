package io.faultline.crds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.faultline.crds.common.Distribution;
import io.faultline.crds.fault.DownFault;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Sampling.SamplingMode;
import io.faultline.crds.spec.StreamDirection;
import io.faultline.crds.spec.TargetProtocol;

/** The committed examples read into the model, and the model writes back the wire names the CRD declares. */
class ExampleResourcesTest {
    private static final Path EXAMPLES = Path.of(System.getProperty("faultline.crds.committed")).resolveSibling("examples");

    @Test
    void faultSessionExampleReadsIntoTheModel() throws IOException {
        FaultSession session = read("faultsession-checkout-degraded.yaml", FaultSession.class);

        assertThat(session.getSpec().selector.matchLabels).containsEntry("app", "checkout");
        assertThat(session.getSpec().sampling.mode).isEqualTo(SamplingMode.Percent);
        assertThat(session.getSpec().sampling.value).isEqualTo(50);
        assertThat(session.getSpec().targets).hasSize(2);
        assertThat(session.getSpec().targets.get(0).protocol).isEqualTo(TargetProtocol.HTTP);
        assertThat(session.getSpec().targets.get(1).outbound()).isTrue();
        FaultSpec slowSearch = session.getSpec().faults.get(0);
        assertThat(slowSearch.kindsSet()).containsOnlyKeys("latency");
        assertThat(slowSearch.latency.distribution).isEqualTo(Distribution.NORMAL);
        assertThat(session.getSpec().faults.get(1).stream).isEqualTo(StreamDirection.DOWNSTREAM);
        assertThat(session.getSpec().faults.get(2).abort.httpStatus).isEqualTo(503);
    }

    @Test
    void qosProfileExampleReadsIntoTheModel() throws IOException {
        QoSProfile profile = read("qosprofile-flaky-3g.yaml", QoSProfile.class);

        assertThat(profile.getSpec().latency.mean).isEqualTo("150ms");
        assertThat(profile.getSpec().bandwidth.upstream).isEqualTo("384Kbps");
        assertThat(profile.getSpec().loss.probability).isEqualTo(0.02);
        assertThat(profile.getSpec().connectionLimit).isEqualTo(100);
    }

    @Test
    void writesWireNamesAndOmitsUnsetFields() {
        FaultSpec fault = new FaultSpec();
        fault.name = "blackhole";
        fault.down = new DownFault();
        fault.stream = StreamDirection.BOTH;

        String json = Serialization.asJson(fault);

        assertThat(json).isEqualTo("{\"name\":\"blackhole\",\"stream\":\"both\",\"down\":{}}");
    }

    @Test
    void everyKindNameIsAFieldOfTheUnion() {
        List<String> wireNames = new ArrayList<>();
        for (Field field : FaultSpec.class.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            JsonProperty renamed = field.getAnnotation(JsonProperty.class);
            wireNames.add(renamed != null ? renamed.value() : field.getName());
        }
        assertThat(wireNames).containsAll(FaultSpec.KIND_NAMES);
        assertThat(FaultSpec.KIND_NAMES).doesNotHaveDuplicates().hasSize(wireNames.size() - 5); // name, targets, probability, stream, match
    }

    private static <T> T read(String file, Class<T> type) throws IOException {
        try (InputStream in = Files.newInputStream(EXAMPLES.resolve(file))) {
            return Serialization.unmarshal(in, type);
        }
    }
}
