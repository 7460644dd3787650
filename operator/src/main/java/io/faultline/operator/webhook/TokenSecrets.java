package io.faultline.operator.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.faultline.operator.sidecar.SidecarToken;

/**
 * The sidecars' admin token in each namespace that has injected pods: a Secret ({@code faultline.injection.token-secret-name},
 * key {@code token}) holding the same token the operator sends ({@link SidecarToken}: configured, or generated once and
 * kept in the operator's namespace).
 * Created for every namespace labelled for injection, and before admitting any injected pod (a pod opted in by
 * annotation may live in an unlabelled namespace); rewritten when the operator's token changed.
 */
@ApplicationScoped
public class TokenSecrets {
    public static final String KEY = SidecarToken.KEY;

    private final KubernetesClient client;
    private final SidecarToken token;
    private final String secretName;

    public TokenSecrets(KubernetesClient client, SidecarToken token, InjectionConfig injection) {
        this.client = client;
        this.token = token;
        this.secretName = injection.tokenSecretName();
    }

    /**
     * Makes the namespace's Secret hold the token. Admissions of several pods of one namespace (a Deployment scaled up)
     * and the namespace watch run this at the same time: losing a create or an update to another writer is fine as long
     * as the Secret ends up right, so a conflict is answered by reading it again.
     */
    public void ensure(String namespace) {
        String encoded = Base64.getEncoder().encodeToString(token.get().getBytes(StandardCharsets.UTF_8));
        for (int attempt = 1;; attempt++) {
            try {
                write(namespace, encoded);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private void write(String namespace, String encoded) {
        Secret existing = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (existing == null) {
            client.secrets().inNamespace(namespace).resource(new SecretBuilder()
                    .withNewMetadata().withName(secretName).withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/managed-by", "faultline-operator").endMetadata()
                    .withType("Opaque").withData(Map.of(KEY, encoded)).build()).create();
        } else if (existing.getData() == null || !encoded.equals(existing.getData().get(KEY))) {
            existing.setData(Map.of(KEY, encoded));
            client.secrets().inNamespace(namespace).resource(existing).update(); // resourceVersion kept: 409 on a race
        }
    }
}
