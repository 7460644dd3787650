package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** docs/crd-reference.md is generated from the CRDs (descriptions included) and must not drift from them. */
class CrdReferenceTest {

    @Test
    void committedReferenceMatchesTheGeneratedCrds() throws IOException {
        String expected = CrdReference.render(crds());
        if (Repo.UPDATE) {
            Repo.write(Repo.CRD_REFERENCE, expected);
        }
        assertThat(Repo.CRD_REFERENCE).as("docs/crd-reference.md is missing: `%s`", InstallManifestTest.REGENERATE).exists();
        assertThat(Repo.read(Repo.CRD_REFERENCE))
                .as("docs/crd-reference.md is stale (the CRDs changed). Regenerate with `%s` and commit it.", InstallManifestTest.REGENERATE)
                .isEqualTo(expected);
    }

    @Test
    void referenceDocumentsEveryFieldWithItsDescription() throws IOException {
        String reference = CrdReference.render(crds());

        assertThat(reference).contains("| `spec.faults[].latency.fixed` | string | yes | Base delay, e.g. 200ms.")
                .contains("| `spec.sampling.mode` | string |  | All (default)")
                .contains("default `All`")
                .contains("exactly one fault kind must be set")
                .contains("## QoSProfile")
                .contains("short names `fs`");
        for (JsonNode crd : crds()) {
            for (JsonNode description : crd.path("spec").path("versions").get(0).path("schema").findValues("description")) {
                assertThat(reference).contains(description.asText().replace("|", "\\|"));
            }
        }
    }

    private static List<JsonNode> crds() throws IOException {
        List<JsonNode> crds = new ArrayList<>();
        for (String file : ChartCrdsTest.fileNames(Repo.GENERATED_CRDS)) {
            crds.add(Manifests.YAML.readTree(Repo.GENERATED_CRDS.resolve(file).toFile()));
        }
        return crds;
    }
}
