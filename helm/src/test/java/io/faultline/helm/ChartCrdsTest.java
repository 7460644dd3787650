package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The chart ships the CRDs generated from the Java model, byte for byte. */
class ChartCrdsTest {
    private static final String HOW_TO_FIX = "helm/faultline/crds/%s differs from crds/generated/%s (the generated CRDs are the"
            + " source of truth). Regenerate with `./mvnw -pl crds,helm test -Dfaultline.update=true` and commit.";

    @Test
    void chartCrdsAreByteIdenticalToTheGeneratedOnes() throws IOException {
        List<String> generated = fileNames(Repo.GENERATED_CRDS);
        assertThat(generated).as("generated CRDs").isNotEmpty();

        for (String name : generated) {
            Path chartCopy = Repo.CHART.resolve("crds").resolve(name);
            byte[] expected = Files.readAllBytes(Repo.GENERATED_CRDS.resolve(name));
            if (Repo.UPDATE) {
                Files.write(chartCopy, expected);
            }
            assertThat(chartCopy).as(HOW_TO_FIX, name, name).exists();
            assertThat(Files.readAllBytes(chartCopy)).as(HOW_TO_FIX, name, name).isEqualTo(expected);
        }
        assertThat(fileNames(Repo.CHART.resolve("crds"))).as("the chart has no CRD that crds/generated does not have")
                .containsExactlyInAnyOrderElementsOf(generated);
    }

    static List<String> fileNames(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
                    .sorted().collect(Collectors.toList());
        }
    }
}
