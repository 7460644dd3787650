package io.faultline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.faultline.kube.testkit.KubeApiServer;
import io.faultline.kube.testkit.WithKubeApiServer;

/** The tier's smoke test: a real API server takes the install manifest, server-side, as a user would apply it. */
@WithKubeApiServer
class InstallManifestSmokeTest {
    @Test
    void theInstallManifestAppliesServerSide(KubeApiServer server) {
        List<HasMetadata> applied = server.apply().fieldManager("faultline-install").force()
                .file(Repo.INSTALL_MANIFEST);

        assertThat(applied).extracting(HasMetadata::getKind).contains("CustomResourceDefinition", "Deployment",
                "MutatingWebhookConfiguration");
        assertThat(server.adminClient().apiextensions().v1().customResourceDefinitions()
                .withName("faultsessions.faultline.io").get()).isNotNull();
    }
}
