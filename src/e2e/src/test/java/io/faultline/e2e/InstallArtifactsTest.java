package io.faultline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.kube.testkit.KubeApiServer;
import io.faultline.kube.testkit.Kubectl;
import io.faultline.kube.testkit.ServerSideApply;
import io.faultline.kube.testkit.WithKubeApiServer;
import io.faultline.kube.testkit.WithKubeApiServer.Scope;
import io.faultline.operator.compiler.PodConfig;
import io.faultline.operator.compiler.ProxyConfigCompiler;
import io.faultline.operator.compiler.QosProfileValidator;
import io.faultline.operator.compiler.ResolvedSession;
import io.faultline.operator.compiler.SessionValidator;

/**
 * What a user applies, applied as a user would: the real kubectl, {@code apply --server-side}, on a real API server
 * of this class's own (the install manifest and the chart make cluster-wide objects other classes should not meet).
 * The examples go to namespace {@code shop} as written, and the operator's own validation and compiler accept each.
 */
@WithKubeApiServer(scope = Scope.CLASS)
class InstallArtifactsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void namespaces(KubeApiServer server) {
        server.apply().yaml("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
                + "apiVersion: v1\nkind: Namespace\nmetadata: {name: faultline-system}\n");
    }

    @Test
    void kubectlAppliesTheInstallManifestServerSide(KubeApiServer server) {
        Kubectl.Result result = server.kubectl().run("apply", "--server-side", "--force-conflicts",
                "--field-manager=faultline-install", "-f", Repo.INSTALL_MANIFEST.toString()).assertSuccess();

        int documents = ServerSideApply.documents(Repo.read(Repo.INSTALL_MANIFEST), "deploy/faultline.yaml").size();
        assertThat(result.stdout().lines().toList()).hasSize(documents).allMatch(l -> l.endsWith(" serverside-applied"));
        assertThat(result.stdout()).contains("customresourcedefinition.apiextensions.k8s.io/faultsessions.faultline.io",
                "customresourcedefinition.apiextensions.k8s.io/qosprofiles.faultline.io",
                "deployment.apps/faultline-operator", "mutatingwebhookconfiguration.admissionregistration.k8s.io/");
        server.kubectl().run("wait", "--for=condition=Established", "--timeout=60s",
                "crd/faultsessions.faultline.io", "crd/qosprofiles.faultline.io").assertSuccess();
    }

    static Stream<Path> crdFiles() {
        return Stream.concat(Repo.yamlFiles(Repo.GENERATED_CRDS).stream(), Repo.yamlFiles(Repo.CHART_CRDS).stream());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("crdFiles")
    void kubectlAppliesEveryCrdFileServerSide(Path file, KubeApiServer server) {
        Kubectl.Result result = server.kubectl().run("apply", "--server-side", "--force-conflicts", "-f",
                file.toString()).assertSuccess();
        assertThat(result.stdout()).startsWith("customresourcedefinition.apiextensions.k8s.io/")
                .endsWith(" serverside-applied\n");
    }

    @Test
    void theChartRenderedWithItsDefaultsApplies(KubeApiServer server) {
        String rendered = new Helm(Repo.CHART).template().withName("faultline").withNamespace("faultline-system")
                .withKubeVersion(server.version()).call();

        Kubectl.Result result = server.kubectl().runWithInput(rendered, "apply", "--server-side", "--force-conflicts",
                "--field-manager=helm", "-n", "faultline-system", "-f", "-").assertSuccess();
        assertThat(result.stdout().lines().toList()).hasSize(ServerSideApply.documents(rendered, "chart").size())
                .allMatch(l -> l.endsWith(" serverside-applied"));
        assertThat(result.stdout()).contains("deployment.apps/faultline-operator serverside-applied");
    }

    /** {@code kubectl apply --server-side -f src/examples/k8s/} (and crds/examples/), as the walkthrough says. */
    private static void applyExamples(KubeApiServer server) {
        FaultlineCrds.install(server);
        for (Path folder : Examples.FOLDERS) {
            Kubectl.Result result = server.kubectl().run("apply", "--server-side", "-f", folder.toString());
            assertThat(result.exitCode()).as("kubectl apply --server-side -f %s: %s", folder, result.stderr()).isZero();
            assertThat(result.stdout().lines().toList()).allMatch(l -> l.endsWith(" serverside-applied"));
        }
    }

    @Test
    void everyExampleIsAcceptedAsWrittenAndStoredWithEveryField(KubeApiServer server, KubernetesClient admin) {
        applyExamples(server);

        for (Examples.Example example : Examples.all()) {
            GenericKubernetesResource stored = admin.genericKubernetesResources("faultline.io/v1alpha1", example.kind())
                    .inNamespace(example.namespace()).withName(example.name()).get();
            assertThat(stored).as("%s is stored", example).isNotNull();
            JsonNode storedSpec = JSON.valueToTree(stored.getAdditionalProperties().get("spec"));
            assertContains(example.toString() + " spec", storedSpec, example.resource().path("spec"));
        }
    }

    @Test
    void theOperatorAcceptsEveryExampleAsTheApiServerStoredIt(KubeApiServer server, KubernetesClient admin) {
        applyExamples(server);

        for (Examples.Example example : Examples.all()) {
            if (example.kind().equals("QoSProfile")) {
                QoSProfile profile = admin.resources(QoSProfile.class).inNamespace(example.namespace())
                        .withName(example.name()).get();
                assertThat(QosProfileValidator.validate(profile.getSpec())).as("%s: the operator's validation", example)
                        .isEmpty();
                continue;
            }
            FaultSession session = admin.resources(FaultSession.class).inNamespace(example.namespace())
                    .withName(example.name()).get();
            assertThat(SessionValidator.validate(session.getSpec())).as("%s: the operator's validation", example)
                    .isEmpty();
            QoSProfileSpec qos = null;
            if (session.getSpec().qosProfileRef != null) {
                QoSProfile profile = admin.resources(QoSProfile.class).inNamespace(example.namespace())
                        .withName(session.getSpec().qosProfileRef.name).get();
                assertThat(profile).as("%s: its QoSProfile is an example too", example).isNotNull();
                qos = profile.getSpec();
            }
            ResolvedSession resolved = new ResolvedSession(example.namespace(), example.name(),
                    session.getMetadata().getUid(), Instant.parse(session.getMetadata().getCreationTimestamp()),
                    session.getSpec(), qos, true, null);
            PodConfig config = ProxyConfigCompiler.compile(List.of(resolved), null);
            assertThat(config.json().path("listeners").size()).as("%s: compiled listeners", example)
                    .isEqualTo(session.getSpec().targets.size());
            assertThat(config.conflicts()).as("%s: conflicts", example).isEmpty();
        }
    }

    /** Every field {@code expected} sets is in {@code actual} with the same value (the API server adds defaults). */
    private static void assertContains(String where, JsonNode actual, JsonNode expected) {
        if (expected.isObject()) {
            assertThat(actual.isObject()).as("%s is an object in the stored resource", where).isTrue();
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                assertThat(actual.has(field.getKey())).as("%s.%s is stored (not pruned)", where, field.getKey()).isTrue();
                assertContains(where + "." + field.getKey(), actual.get(field.getKey()), field.getValue());
            }
        } else if (expected.isArray()) {
            assertThat(actual.size()).as("%s: items stored", where).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertContains(where + "[" + i + "]", actual.get(i), expected.get(i));
            }
        } else if (expected.isNumber()) {
            assertThat(actual.isNumber() && actual.decimalValue().compareTo(expected.decimalValue()) == 0)
                    .as("%s: %s stored as %s", where, expected, actual).isTrue();
        } else {
            assertThat(actual).as(where).isEqualTo(expected);
        }
    }
}
