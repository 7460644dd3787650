package io.faultline.crds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRD YAML committed under crds/generated must equal what the fabric8 crd-generator produces from the Java model
 * during this build (target/classes/META-INF/fabric8). Regenerate with
 * {@code ./mvnw -pl crds test -Dfaultline.crds.update=true} and commit the result.
 */
class GeneratedCrdDriftTest {
    private static final String HOW_TO_REGENERATE =
            "crds/generated/%s is stale: the Java model changed. Regenerate with "
                    + "`./mvnw -pl crds test -Dfaultline.crds.update=true` and commit crds/generated/.";

    @ParameterizedTest
    @ValueSource(strings = {"faultsessions.faultline.io-v1.yml", "qosprofiles.faultline.io-v1.yml"})
    void committedCrdMatchesTheModel(String fileName) throws IOException {
        Path generated = Path.of(System.getProperty("faultline.crds.generated")).resolve(fileName);
        Path committed = Path.of(System.getProperty("faultline.crds.committed")).resolve(fileName);
        assertThat(generated).as("the crd-generator plugin output").exists();

        if (Boolean.getBoolean("faultline.crds.update") || Boolean.getBoolean("faultline.update")) {
            Files.createDirectories(committed.getParent());
            Files.copy(generated, committed, StandardCopyOption.REPLACE_EXISTING);
        }

        assertThat(committed).as(HOW_TO_REGENERATE, fileName).exists();
        List<String> expected = Files.readAllLines(generated);
        List<String> actual = Files.readAllLines(committed);
        assertThat(actual).as(HOW_TO_REGENERATE, fileName).isEqualTo(expected);
    }
}
