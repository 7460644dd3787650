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
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
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

    /** The reconciler's call site: a session with restartWorkloads rolls the Deployment of a selected pod without sidecar. */
    @Test
    void aSessionWithRestartWorkloadsRollsTheDeploymentOfASelectedPodWithoutSidecar() throws Exception {
        String ns = "rollouts";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                .addToLabels("faultline.io/injection", "enabled").endMetadata().build()).create();
        PodTemplateSpec template = new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "checkout").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("shop/app:1").endContainer().endSpec().build();
        client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName("checkout").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "checkout").endSelector().withTemplate(template).endSpec()
                .build()).create();
        client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata().withName("checkout-5c8d")
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("checkout").withUid("d-uid")
                .withController(true).endOwnerReference().endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "checkout").endSelector().withTemplate(template).endSpec()
                .build()).create();
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("checkout-5c8d-q1")
                .addToLabels("app", "checkout").addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName("checkout-5c8d").withUid("rs-uid").withController(true).endOwnerReference().endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("shop/app:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build()).create();
        FaultSession session = latencySession();
        session.getMetadata().setNamespace(ns);
        session.getSpec().restartWorkloads = true;
        client.resources(FaultSession.class).inNamespace(ns).resource(session).create();

        await("the Deployment's pod template is restarted", () -> {
            var annotations = client.apps().deployments().inNamespace(ns).withName("checkout").get().getSpec().getTemplate()
                    .getMetadata().getAnnotations();
            return annotations != null && annotations.containsKey("kubectl.kubernetes.io/restartedAt")
                    && annotations.getOrDefault("faultline.io/restarted-for", "").startsWith("search-slow@1#");
        });
        await("a WorkloadRestarted event on the session", () -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "WorkloadRestarted".equals(e.getReason()) && "FaultSession".equals(e.getInvolvedObject().getKind())
                        && e.getMessage().contains("Deployment checkout")));
        await("the session status says so for the pod", () -> {
            FaultSession current = client.resources(FaultSession.class).inNamespace(ns).withName("search-slow").get();
            return current.getStatus() != null && current.getStatus().pods.stream().anyMatch(p -> p.name.equals("checkout-5c8d-q1")
                    && p.state == io.faultline.crds.status.PodState.AwaitingInjection && p.message != null
                    && p.message.contains("Deployment checkout"));
        });
    }

    /** The reconciler's call site: an explicit-mode pod behind a Service with a numeric targetPort is reported. */
    @Test
    void aServiceReachingAnExplicitlyInterceptedPortByNumberIsReportedInTheStatusAndAnEvent() throws Exception {
        String ns = "explicit";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                .addToLabels("faultline.io/injection", "enabled").endMetadata().build()).create();
        io.fabric8.kubernetes.api.model.Pod pod = AdmissionReviews.checkoutPod();
        pod.getMetadata().setGenerateName(null);
        pod.getMetadata().setName("checkout-1");
        pod.getMetadata().setNamespace(ns);
        PodInjector.Result injected = PodInjector.inject(new PodInjector.Request(pod, ns, Map.of("faultline.io/injection", "enabled"),
                InjectionSettings.defaults("faultline-system"), List.of()));
        assertThat(injected.decision().inject()).as(injected.decision().message()).isTrue();
        String portName = injected.status().inbound().get(0).portName();
        int port = injected.status().inbound().get(0).port();
        client.pods().inNamespace(ns).resource(injected.mutated()).create();
        client.services().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata()
                .withName("checkout").endMetadata().withNewSpec().withSelector(pod.getMetadata().getLabels()).addNewPort().withPort(80)
                .withNewTargetPort(port).endPort().endSpec().build()).create();
        FaultSession session = latencySession();
        session.getMetadata().setNamespace(ns);
        session.getSpec().targets.get(0).port = port;
        session.getSpec().selector = new PodSelector(pod.getMetadata().getLabels());
        client.resources(FaultSession.class).inNamespace(ns).resource(session).create();

        await("the session status names the Service and the fix", () -> {
            FaultSession current = client.resources(FaultSession.class).inNamespace(ns).withName("search-slow").get();
            return current.getStatus() != null && current.getStatus().pods.stream().anyMatch(p -> p.name.equals("checkout-1")
                    && p.message != null && p.message.contains("Service checkout port 80: its targetPort is the number " + port)
                    && p.message.contains("targetPort to \"" + portName + "\""));
        });
        await("a NotIntercepted event on the session", () -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "NotIntercepted".equals(e.getReason()) && "FaultSession".equals(e.getInvolvedObject().getKind())
                        && e.getMessage().contains("checkout-1")));
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
