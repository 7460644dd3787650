package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * deploy/faultline.yaml is the chart rendered with its default values, for `kubectl apply -f` without Helm: the
 * namespace, the CRDs (from the chart's crds/), then every template. It must not drift from the chart.
 */
class InstallManifestTest {
    static final String REGENERATE = "./mvnw -pl crds,helm test -Dfaultline.update=true";

    @Test
    void committedInstallManifestIsTheChartRenderedWithDefaults() throws IOException {
        String expected = render();
        if (Repo.UPDATE) {
            Repo.write(Repo.INSTALL_MANIFEST, expected);
        }
        assertThat(Repo.INSTALL_MANIFEST).as("deploy/faultline.yaml is missing: generate it with `%s`", REGENERATE).exists();
        assertThat(Repo.read(Repo.INSTALL_MANIFEST))
                .as("deploy/faultline.yaml is stale (the chart or the CRDs changed). Regenerate with `%s` and commit it.", REGENERATE)
                .isEqualTo(expected);
    }

    @Test
    void installManifestCreatesTheNamespaceFirstAndTheCrdsBeforeAnythingUsesThem() {
        Manifests manifests = Manifests.parse(Repo.read(Repo.INSTALL_MANIFEST));
        List<JsonNode> all = manifests.all();

        assertThat(all.get(0).path("kind").asText()).isEqualTo("Namespace");
        assertThat(all.get(0).path("metadata").path("name").asText()).isEqualTo(Chart.NAMESPACE);
        assertThat(all.get(1).path("kind").asText()).isEqualTo("CustomResourceDefinition");
        assertThat(all.get(2).path("kind").asText()).isEqualTo("CustomResourceDefinition");
        assertThat(manifests.ofKind("Deployment")).hasSize(1);
        assertThat(manifests.ofKind("MutatingWebhookConfiguration")).hasSize(1);
        // Helm's own bookkeeping labels would be wrong outside Helm.
        assertThat(Repo.read(Repo.INSTALL_MANIFEST)).doesNotContain("managed-by: Helm");
    }

    static String render() throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("# Faultline ").append(appVersion()).append(": everything `helm install faultline helm/faultline -n ")
                .append(Chart.NAMESPACE).append("` creates, with default values.\n")
                .append("# Install: kubectl apply --server-side -f deploy/faultline.yaml\n")
                .append("# GENERATED from helm/faultline, do not edit. Regenerate: ").append(REGENERATE).append("\n")
                .append("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ").append(Chart.NAMESPACE).append("\n");
        for (String crd : ChartCrdsTest.fileNames(Repo.CHART.resolve("crds"))) {
            out.append("---\n# Source: faultline/crds/").append(crd).append("\n")
                    .append(Files.readString(Repo.CHART.resolve("crds").resolve(crd)));
        }
        String templates = Chart.renderText(Map.of())
                .replace("app.kubernetes.io/managed-by: Helm", "app.kubernetes.io/managed-by: kubectl");
        out.append(templates.startsWith("---") ? templates : "---\n" + templates);
        return out.toString();
    }

    private static String appVersion() throws IOException {
        JsonNode chart = Manifests.YAML.readTree(Repo.CHART.resolve("Chart.yaml").toFile());
        return chart.path("appVersion").asText();
    }
}
