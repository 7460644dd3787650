package io.faultline.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.zjsonpatch.JsonPatch;
import io.faultline.operator.certs.CertificateAuthority;
import io.faultline.operator.certs.RotatingKeyManager;
import io.faultline.operator.certs.ServingCertificate;
import io.faultline.operator.webhook.InjectionDecision.Reason;

/** The webhook answered for real: HTTPS on 127.0.0.1 with a certificate from our own CA, AdmissionReview JSON in and out. */
class WebhookServerTlsTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final List<InjectionDecision> decisions = Collections.synchronizedList(new ArrayList<>());
    private final RotatingKeyManager keys = new RotatingKeyManager();
    private CertificateAuthority ca;
    private WebhookServer server;

    @BeforeEach
    void start() throws Exception {
        cluster.namespaces.put("shop", new ClusterLookup.NamespaceInfo(Map.of("faultline.io/injection", "enabled"), Map.of()));
        ca = CertificateAuthority.create("faultline-webhook-ca", Instant.now(), Duration.ofDays(10));
        keys.install(ca.issue(List.of("localhost"), List.of("127.0.0.1"), Instant.now(), Duration.ofDays(1)));
        AdmissionHandler handler = new AdmissionHandler(InjectionSettings.defaults("faultline-system"), cluster,
                (pod, namespace, decision) -> decisions.add(decision), false, Clock.fixed(NOW, ZoneOffset.UTC));
        server = WebhookServer.start(new InetSocketAddress("127.0.0.1", 0), keys.sslContext(), handler, 2);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpClient client(CertificateAuthority... trusted) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < trusted.length; i++) {
            store.setCertificateEntry("ca" + i, trusted[i].certificate());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpResponse<String> post(HttpClient client, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + WebhookServer.MUTATE_PATH))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPodCreateInAnEnabledNamespaceGetsTheSidecarPatch() throws Exception {
        ObjectNode review = AdmissionReviews.podCreate("705ab4f5-6393-11e8-b7cc-42010a800002", AdmissionReviews.checkoutPod(), "shop");

        HttpResponse<String> answer = post(client(ca), review.toString());

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = AdmissionReviews.JSON.readTree(answer.body());
        assertThat(body.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(body.path("kind").asText()).isEqualTo("AdmissionReview");
        JsonNode response = body.path("response");
        assertThat(response.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = AdmissionReviews.JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
        assertThat(patch.findValuesAsText("op")).isSubsetOf("add", "replace", "remove");

        JsonNode patched = JsonPatch.apply(patch, review.path("request").path("object"));
        assertThat(patched.path("spec").path("containers").findValuesAsText("name")).contains("app", "faultline-sidecar");
        assertThat(patched.path("metadata").path("annotations").path("faultline.io/injected").asText()).isEqualTo("true");
        assertThat(patched.path("spec").path("containers").get(0).path("ports").get(0).path("name").asText()).isEqualTo("app-8080");
        assertThat(cluster.tokenSecretsEnsured).containsExactly("shop");
        assertThat(decisions).extracting(InjectionDecision::reason).containsExactly(Reason.Injected);
    }

    @Test
    void aPodOutsideOptedInNamespacesIsAllowedWithoutPatch() throws Exception {
        HttpResponse<String> answer = post(client(ca), AdmissionReviews.podCreate("u-2", AdmissionReviews.checkoutPod(), "other").toString());

        JsonNode response = AdmissionReviews.JSON.readTree(answer.body()).path("response");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(response.path("uid").asText()).isEqualTo("u-2");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.has("patchType")).isFalse();
        assertThat(cluster.tokenSecretsEnsured).isEmpty();
        assertThat(decisions).extracting(InjectionDecision::reason).containsExactly(Reason.NotOptedIn);
    }

    @Test
    void aDryRunIsPatchedButCreatesNoSecret() throws Exception {
        ObjectNode review = AdmissionReviews.podCreate("u-3", AdmissionReviews.checkoutPod(), "shop");
        ((ObjectNode) review.get("request")).put("dryRun", true);

        JsonNode response = AdmissionReviews.JSON.readTree(post(client(ca), review.toString()).body()).path("response");

        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        assertThat(cluster.tokenSecretsEnsured).isEmpty();
    }

    @Test
    void anInternalErrorAllowsThePodUnchangedWithAWarning() throws Exception {
        cluster.failure = new IllegalStateException("namespaces \"shop\" is forbidden");

        HttpResponse<String> answer = post(client(ca), AdmissionReviews.podCreate("u-4", AdmissionReviews.checkoutPod(), "shop").toString());

        JsonNode response = AdmissionReviews.JSON.readTree(answer.body()).path("response");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(response.path("uid").asText()).isEqualTo("u-4");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.path("warnings").get(0).asText())
                .isEqualTo("faultline: sidecar not injected, internal error: namespaces \"shop\" is forbidden");
        assertThat(decisions).extracting(InjectionDecision::reason).containsExactly(Reason.InternalError);
    }

    @Test
    void aMalformedAdmissionReviewGets400WithAMessage() throws Exception {
        HttpClient client = client(ca);
        ObjectNode noUid = AdmissionReviews.podCreate("x", AdmissionReviews.checkoutPod(), "shop");
        ((ObjectNode) noUid.get("request")).remove("uid");
        ObjectNode notAPod = AdmissionReviews.podCreate("x", AdmissionReviews.checkoutPod(), "shop");
        ((ObjectNode) notAPod.get("request")).putArray("object");

        assertBadRequest(post(client, "{\"apiVersion\":"), "malformed AdmissionReview: the body is not JSON");
        assertBadRequest(post(client, "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"}"),
                "expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got apiVersion 'admission.k8s.io/v1beta1'");
        assertBadRequest(post(client, noUid.toString()), "request.uid is missing");
        assertBadRequest(post(client, notAPod.toString()), "request.object is missing");
        assertThat(decisions).isEmpty();
    }

    private static void assertBadRequest(HttpResponse<String> answer, String message) throws Exception {
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(AdmissionReviews.JSON.readTree(answer.body()).path("error").asText()).contains(message);
    }

    @Test
    void otherOperationsPassUntouched() throws Exception {
        ObjectNode update = AdmissionReviews.podCreate("u-5", AdmissionReviews.checkoutPod(), "shop");
        ((ObjectNode) update.get("request")).put("operation", "UPDATE");

        JsonNode response = AdmissionReviews.JSON.readTree(post(client(ca), update.toString()).body()).path("response");

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
    }

    @Test
    void aRotatedCertificateIsServedOnTheNextHandshakeWithoutRestart() throws Exception {
        CertificateAuthority next = CertificateAuthority.create("faultline-webhook-ca", Instant.now(), Duration.ofDays(10));
        ServingCertificate rotated = next.issue(List.of("localhost"), List.of("127.0.0.1"), Instant.now(), Duration.ofDays(1));
        String body = AdmissionReviews.podCreate("u-6", AdmissionReviews.checkoutPod(), "other").toString();
        assertThat(post(client(ca), body).statusCode()).isEqualTo(200);

        keys.install(rotated);

        HttpResponse<String> answer = post(client(next), body);
        assertThat(answer.statusCode()).isEqualTo(200);
        X509Certificate served = (X509Certificate) answer.sslSession().orElseThrow().getPeerCertificates()[0];
        assertThat(served.getSerialNumber()).isEqualTo(rotated.certificate().getSerialNumber());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> post(client(ca), body))
                .hasCauseInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void healthzAnswersOverTls() throws Exception {
        HttpResponse<String> answer = client(ca).send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/healthz"))
                .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));

        assertThat(answer.statusCode()).isEqualTo(200);
    }
}
