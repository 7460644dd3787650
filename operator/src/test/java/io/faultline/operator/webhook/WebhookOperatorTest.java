package io.faultline.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.zjsonpatch.JsonPatch;
import io.faultline.crds.FaultSession;
import io.faultline.crds.common.PodSelector;
import io.faultline.crds.fault.LatencyFault;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Target;
import io.faultline.operator.certs.CertificateAuthority;
import io.faultline.operator.certs.ServingCertificate;
import io.faultline.operator.certs.WebhookCertificates;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The webhook inside the running operator, against the fabric8 mock API server in CRUD mode. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(WebhookTestProfile.class)
class WebhookOperatorTest {
    @Inject
    KubernetesClient client;
    @Inject
    WebhookLifecycle lifecycle;
    @Inject
    WebhookCertificates certificates;
    @Inject
    MeterRegistry registry;

    private Map<String, String> certSecret() {
        Secret secret = client.secrets().inNamespace("faultline-system").withName("faultline-webhook-certs").get();
        assertThat(secret).as("the operator created its certificate Secret").isNotNull();
        Map<String, String> data = new java.util.HashMap<>();
        secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return data;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    private HttpClient trusting(String caPem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", CertificateAuthority.readCertificate(caPem));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).build();
    }

    @Test
    void theOperatorBootstrapsItsCertificatesAndServesThemOverTls() throws Exception {
        await("the webhook listens", () -> lifecycle.port() > 0);
        Map<String, String> data = certSecret();
        assertThat(data).containsKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
        X509Certificate serving = CertificateAuthority.readCertificate(data.get("tls.crt"));
        assertThat(serving.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
                .contains("faultline-webhook.faultline-system.svc", "localhost", "127.0.0.1");

        HttpResponse<String> health = trusting(data.get("ca.crt")).send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + lifecycle.port() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(((X509Certificate) health.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber())
                .isEqualTo(serving.getSerialNumber());
    }

    @Test
    void theWebhookConfigurationGetsTheCaBundleAndARenewalKeepsTheCa() {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("faultline-injector").endMetadata()
                .addNewWebhook().withName("inject.faultline.io").withNewClientConfig().withNewService().withName("faultline-webhook")
                .withNamespace("faultline-system").withPath("/mutate-pods").endService().endClientConfig()
                .withAdmissionReviewVersions("v1").withSideEffects("None").withFailurePolicy("Ignore").withTimeoutSeconds(5)
                .endWebhook().build()).createOr(existing -> existing.update());

        ServingCertificate now = certificates.ensure(Instant.now());
        MutatingWebhookConfiguration configuration = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("faultline-injector").get();
        String bundle = Base64.getEncoder().encodeToString(certSecret().get("ca.crt").getBytes(StandardCharsets.UTF_8));
        assertThat(configuration.getWebhooks().get(0).getClientConfig().getCaBundle()).isEqualTo(bundle);
        assertThat(now.caPem()).isEqualTo(certSecret().get("ca.crt"));

        // a year on, the serving certificate is due: renewed from the same CA, so the caBundle stays
        ServingCertificate renewed = certificates.ensure(Instant.now().plus(Duration.ofDays(340)));
        assertThat(renewed.certificate().getSerialNumber()).isNotEqualTo(now.certificate().getSerialNumber());
        assertThat(certSecret().get("tls.crt")).isEqualTo(renewed.certificatePem());
        assertThat(renewed.caPem()).isEqualTo(now.caPem());
        assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("faultline-injector").get()
                .getWebhooks().get(0).getClientConfig().getCaBundle()).isEqualTo(bundle);
    }

    @Test
    void anOptedInNamespaceGetsItsTokenSecret() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("payments")
                .addToLabels("faultline.io/injection", "enabled").endMetadata().build()).create();

        await("the token Secret exists", () -> client.secrets().inNamespace("payments").withName("faultline-sidecar-token").get() != null);
        Secret token = client.secrets().inNamespace("payments").withName("faultline-sidecar-token").get();
        assertThat(new String(Base64.getDecoder().decode(token.getData().get("token")), StandardCharsets.UTF_8))
                .isEqualTo(WebhookTestProfile.TOKEN);
    }

    @Test
    void aPodCreateIsInjectedWithTheActiveSessionsConfigAnEventAndAMetric() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
                .addToLabels("faultline.io/injection", "enabled").endMetadata().build()).createOr(existing -> existing.update());
        client.resources(FaultSession.class).inNamespace("shop").resource(latencySession()).create();
        await("the webhook listens", () -> lifecycle.port() > 0);
        double injectedBefore = injectedCount();

        String review = AdmissionReviews.podCreate("e2e-uid-1", AdmissionReviews.checkoutPod(), "shop").toString();
        HttpResponse<String> answer = trusting(certSecret().get("ca.crt")).send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + lifecycle.port() + WebhookServer.MUTATE_PATH))
                .POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode response = AdmissionReviews.JSON.readTree(answer.body()).path("response");
        assertThat(response.path("uid").asText()).isEqualTo("e2e-uid-1");
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patched = JsonPatch.apply(AdmissionReviews.JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText())),
                AdmissionReviews.JSON.readTree(review).path("request").path("object"));
        JsonNode initial = AdmissionReviews.JSON.readTree(patched.path("metadata").path("annotations")
                .path(InjectionAnnotations.INITIAL_CONFIG).asText());
        assertThat(initial.path("rules").findValuesAsText("name")).containsExactly("search-slow.lag");
        assertThat(client.secrets().inNamespace("shop").withName("faultline-sidecar-token").get()).isNotNull();
        assertThat(injectedCount()).isEqualTo(injectedBefore + 1);
        await("an Injected event is recorded", () -> client.v1().events().inNamespace("shop").list().getItems().stream()
                .anyMatch(e -> "Injected".equals(e.getReason()) && e.getMessage().contains("checkout-*")));
    }

    private double injectedCount() {
        var counter = registry.find("faultline.injection").tag("reason", "Injected").counter();
        return counter == null ? 0 : counter.count();
    }

    private static FaultSession latencySession() {
        FaultSession session = new FaultSession();
        session.getMetadata().setName("search-slow");
        session.getMetadata().setNamespace("shop");
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of("app", "checkout"));
        Target target = new Target();
        target.name = "http";
        target.port = 8080;
        spec.targets = List.of(target);
        FaultSpec fault = new FaultSpec();
        fault.name = "lag";
        fault.latency = new LatencyFault();
        fault.latency.fixed = "100ms";
        spec.faults = List.of(fault);
        session.setSpec(spec);
        return session;
    }
}
