package io.faultline.operator.certs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.faultline.operator.webhook.InjectionConfig;
import io.faultline.operator.webhook.WebhookConfig;

/**
 * Keeps the webhook's certificates in the cluster: the Secret {@code faultline.webhook.cert-secret-name} in the
 * operator's namespace holds the CA and the serving certificate (created when missing, renewed when due; see
 * {@link CertificateStore}), or is read as cert-manager wrote it; the MutatingWebhookConfiguration's caBundle is set to
 * the CA on every webhook entry that does not carry it yet.
 */
@ApplicationScoped
public class WebhookCertificates {
    private static final Logger LOG = Logger.getLogger(WebhookCertificates.class);

    private final KubernetesClient client;
    private final WebhookConfig config;
    private final String namespace;

    public WebhookCertificates(KubernetesClient client, WebhookConfig config, InjectionConfig injection) {
        this.client = client;
        this.config = config;
        this.namespace = injection.operatorNamespace();
    }

    /** The certificate to serve now, after writing the Secret and the caBundle as needed. */
    public ServingCertificate ensure(Instant now) {
        Secret secret = client.secrets().inNamespace(namespace).withName(config.certSecretName()).get();
        Map<String, String> data = decode(secret);
        ServingCertificate serving;
        if (config.certManager()) {
            serving = CertificateStore.external(data, namespace + "/" + config.certSecretName());
        } else {
            CertificateStore.Outcome outcome = CertificateStore.decide(data, policy(), now);
            if (outcome.secretData() != null) {
                write(secret, outcome.secretData());
                LOG.infof("webhook certificates: %s (Secret %s/%s, valid until %s)", outcome.action(), namespace,
                        config.certSecretName(), outcome.serving().notAfter());
            }
            serving = outcome.serving();
        }
        patchCaBundle(serving.caPem());
        return serving;
    }

    /** The names the serving certificate must carry: the Service's in-cluster names, plus any configured extras. */
    public List<String> dnsNames() {
        String service = config.serviceName();
        List<String> names = new ArrayList<>(List.of(service + "." + namespace + ".svc", service, service + "." + namespace,
                service + "." + namespace + ".svc.cluster.local"));
        config.extraDnsNames().ifPresent(names::addAll);
        return names;
    }

    private CertificateStore.Policy policy() {
        return new CertificateStore.Policy(dnsNames(), config.ipAddresses().orElse(List.of()), config.caValidity(),
                config.certValidity(), config.renewBefore());
    }

    private void write(Secret existing, Map<String, String> data) {
        Map<String, String> encoded = new HashMap<>();
        data.forEach((key, value) -> encoded.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        if (existing == null) {
            client.secrets().inNamespace(namespace).resource(new SecretBuilder()
                    .withNewMetadata().withName(config.certSecretName()).withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/managed-by", "faultline-operator").endMetadata()
                    .withType("kubernetes.io/tls").withData(encoded).build()).create();
        } else {
            existing.setData(encoded); // resourceVersion kept: a concurrent writer (another replica) makes this fail, not clobber
            client.secrets().inNamespace(namespace).resource(existing).update();
        }
    }

    /**
     * Sets caBundle on every webhook of the configuration; false when the configuration does not exist (yet). Another
     * writer (a replica, the watch of this one, a user re-applying the configuration) may update it between the read
     * and the write: the write then fails on its resourceVersion and is done again from a fresh read.
     */
    public boolean patchCaBundle(String caPem) {
        for (int attempt = 1;; attempt++) {
            try {
                return patchCaBundleOnce(caPem);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private boolean patchCaBundleOnce(String caPem) {
        MutatingWebhookConfiguration configuration = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(config.configurationName()).get();
        if (configuration == null) {
            LOG.warnf("MutatingWebhookConfiguration %s not found: caBundle not set (the Helm chart creates it)", config.configurationName());
            return false;
        }
        String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
        boolean changed = false;
        for (MutatingWebhook webhook : configuration.getWebhooks() == null ? List.<MutatingWebhook> of() : configuration.getWebhooks()) {
            if (webhook.getClientConfig() != null && !bundle.equals(webhook.getClientConfig().getCaBundle())) {
                webhook.getClientConfig().setCaBundle(bundle);
                changed = true;
            }
        }
        if (changed) {
            client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(configuration).update();
            LOG.infof("caBundle of MutatingWebhookConfiguration %s updated", config.configurationName());
        }
        return true;
    }

    private static Map<String, String> decode(Secret secret) {
        Map<String, String> data = new HashMap<>();
        if (secret == null) {
            return data;
        }
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> data.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            data.putAll(secret.getStringData());
        }
        return data;
    }
}
