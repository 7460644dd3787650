package io.faultline.operator.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.faultline.operator.config.FaultlineConfig;

/**
 * The sidecars' admin token in each namespace that has injected pods: a Secret ({@code faultline.injection.token-secret-name},
 * key {@code token}) holding the same token the operator sends ({@code faultline.sidecar.token} or {@code token-file}).
 * Created for every namespace labelled for injection, and before admitting any injected pod (a pod opted in by
 * annotation may live in an unlabelled namespace); rewritten when the operator's token changed.
 */
@ApplicationScoped
public class TokenSecrets {
    public static final String KEY = "token";

    private final KubernetesClient client;
    private final FaultlineConfig operator;
    private final String secretName;

    public TokenSecrets(KubernetesClient client, FaultlineConfig operator, InjectionConfig injection) {
        this.client = client;
        this.operator = operator;
        this.secretName = injection.tokenSecretName();
    }

    public void ensure(String namespace) {
        String token = token().orElseThrow(() -> new IllegalStateException("the operator has no sidecar admin token: set"
                + " faultline.sidecar.token or faultline.sidecar.token-file (injected sidecars bind their admin API beyond"
                + " loopback and require one)"));
        String encoded = Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
        Secret existing = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (existing == null) {
            client.secrets().inNamespace(namespace).resource(new SecretBuilder()
                    .withNewMetadata().withName(secretName).withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/managed-by", "faultline-operator").endMetadata()
                    .withType("Opaque").withData(Map.of(KEY, encoded)).build()).create();
        } else if (existing.getData() == null || !encoded.equals(existing.getData().get(KEY))) {
            existing.setData(Map.of(KEY, encoded));
            client.secrets().inNamespace(namespace).resource(existing).update();
        }
    }

    private Optional<String> token() {
        FaultlineConfig.Sidecar sidecar = operator.sidecar();
        if (sidecar.token().isPresent()) {
            return sidecar.token().map(String::trim);
        }
        return sidecar.tokenFile().map(file -> {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read faultline.sidecar.token-file " + file + ": " + e.getMessage(), e);
            }
        });
    }
}
