package io.faultline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.faultline.kube.testkit.KubeApiServer;
import io.faultline.kube.testkit.WithKubeApiServer;

/** The MutatingWebhookConfiguration's caBundle: bootstrapped by the operator, and repaired at once when it is re-created. */
@WithKubeApiServer(controllerManager = true)
@org.junit.jupiter.api.Order(3)
class WebhookConfigurationTest {
    static Cluster cluster;
    static OperatorProcess operator;

    @BeforeAll
    static void start(KubeApiServer server) {
        cluster = Cluster.on(server);
        operator = cluster.sharedOperator();
    }

    @Test
    void aReCreatedWebhookConfigurationGetsTheOperatorsCaAtOnce() {
        String url = operator.webhookUrl(Duration.ofMinutes(3));
        assertThat(caBundle()).isEqualTo(operatorCa());

        // as a helm upgrade or a kubectl apply of the manifest after a delete would: the shipped object, without caBundle
        cluster.admin.admissionRegistration().v1().mutatingWebhookConfigurations().withName(Install.WEBHOOK_CONFIGURATION).delete();
        Cluster.await("the configuration to be gone", Duration.ofSeconds(30), () -> cluster.admin.admissionRegistration().v1()
                .mutatingWebhookConfigurations().withName(Install.WEBHOOK_CONFIGURATION).get() == null, () -> "still there");
        JsonNode shipped = cluster.install.ofKind("MutatingWebhookConfiguration").get(0);
        cluster.admin.resource(Serialization.unmarshal(shipped.toString(), GenericKubernetesResource.class))
                .fieldManager(Install.FIELD_MANAGER).forceConflicts().serverSideApply();
        Install.pointWebhookAt(cluster.admin, url);

        // repaired by the operator's watch, not at its hourly check
        Cluster.await("caBundle to be set again", Duration.ofSeconds(30), () -> operatorCa().equals(caBundle()),
                () -> "caBundle " + caBundle());
        cluster.awaitWebhookInjects();
    }

    private static String caBundle() {
        MutatingWebhookConfiguration configuration = cluster.admin.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(Install.WEBHOOK_CONFIGURATION).get();
        String bundle = configuration.getWebhooks().get(0).getClientConfig().getCaBundle();
        return bundle == null ? "" : new String(Base64.getDecoder().decode(bundle), StandardCharsets.UTF_8);
    }

    /** The CA the operator bootstrapped, from its Secret. */
    private static String operatorCa() {
        String encoded = cluster.admin.secrets().inNamespace(Install.NAMESPACE).withName("faultline-webhook-certs").get()
                .getData().get("ca.crt");
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }
}
