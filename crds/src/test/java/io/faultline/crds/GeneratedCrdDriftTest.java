package io.faultline.crds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRD YAML committed under crds/generated must equal what the fabric8 crd-generator produces from the Java model
 * during this build (target/classes/META-INF/fabric8), with the printer columns in the order the model declares them
 * ({@link PrinterColumnOrder}). Regenerate with {@code ./mvnw -pl crds test -Dfaultline.crds.update=true} and commit
 * the result.
 */
class GeneratedCrdDriftTest {
    private static final String HOW_TO_REGENERATE =
            "crds/generated/%s is stale: the Java model changed. Regenerate with "
                    + "`./mvnw -pl crds test -Dfaultline.crds.update=true` and commit crds/generated/.";
    private static final Map<String, Class<?>> RESOURCES = Map.of("faultsessions.faultline.io-v1.yml", FaultSession.class,
            "qosprofiles.faultline.io-v1.yml", QoSProfile.class);

    @ParameterizedTest
    @ValueSource(strings = {"faultsessions.faultline.io-v1.yml", "qosprofiles.faultline.io-v1.yml"})
    void committedCrdMatchesTheModel(String fileName) throws IOException {
        Path generated = Path.of(System.getProperty("faultline.crds.generated")).resolve(fileName);
        Path committed = Path.of(System.getProperty("faultline.crds.committed")).resolve(fileName);
        assertThat(generated).as("the crd-generator plugin output").exists();
        String expected = PrinterColumnOrder.declaredOrder(Files.readString(generated), RESOURCES.get(fileName));

        if (Boolean.getBoolean("faultline.crds.update") || Boolean.getBoolean("faultline.update")) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, expected);
        }

        assertThat(committed).as(HOW_TO_REGENERATE, fileName).exists();
        List<String> actual = Files.readAllLines(committed);
        assertThat(actual).as(HOW_TO_REGENERATE, fileName).isEqualTo(expected.lines().toList());
    }

    @Test
    void printerColumnsFollowTheModelsDeclarationOrder() {
        String generated = String.join("\n", "  - additionalPrinterColumns:",
                "    - jsonPath: \".metadata.creationTimestamp\"", "      name: \"Age\"", "      type: \"date\"",
                "    - jsonPath: \".status.configuredPods\"", "      name: \"Configured\"", "      type: \"integer\"",
                "    - jsonPath: \".status.phase\"", "      name: \"Phase\"", "      type: \"string\"",
                "    - jsonPath: \".status.expiresAt\"", "      name: \"Expires\"", "      type: \"string\"",
                "    - jsonPath: \".status.selectedPods\"", "      name: \"Selected\"", "      type: \"integer\"",
                "    name: \"v1alpha1\"");

        assertThat(PrinterColumnOrder.declaredOrder(generated, FaultSession.class).lines()
                .filter(l -> l.startsWith("      name: ")).toList())
                .containsExactly("      name: \"Phase\"", "      name: \"Selected\"", "      name: \"Configured\"",
                        "      name: \"Expires\"", "      name: \"Age\"");
    }
}
