package io.faultline.operator.sidecar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.faultline.operator.config.FaultlineConfig;

/**
 * The bearer token of the sidecars' admin API: {@code faultline.sidecar.token} or {@code faultline.sidecar.token-file}
 * when set; otherwise the operator's own Secret ({@code faultline.injection.token-secret-name}, key {@code token}, in the
 * operator's namespace), generated on first start (256 random bits) and read by every later start and every replica, so
 * a default install works without any value and the token never changes under running sidecars. Replicas racing to
 * create it converge: the loser of the create reads the winner's.
 */
@ApplicationScoped
public class SidecarToken {
    public static final String KEY = "token";
    private static final Logger LOG = Logger.getLogger(SidecarToken.class);

    private final FaultlineConfig.Sidecar settings;
    private final KubernetesClient client;
    private final String namespace;
    private final String secretName;
    private volatile String resolved;

    @Inject
    public SidecarToken(FaultlineConfig config, KubernetesClient client,
            @ConfigProperty(name = "faultline.injection.operator-namespace") String namespace,
            @ConfigProperty(name = "faultline.injection.token-secret-name", defaultValue = "faultline-sidecar-token") String secretName) {
        this.settings = config.sidecar();
        this.client = client;
        this.namespace = namespace;
        this.secretName = secretName;
    }

    /** The token to send and to hand to injected sidecars; read (or generated) once, then kept. */
    public String get() {
        String token = resolved;
        if (token == null) {
            synchronized (this) {
                if (resolved == null) {
                    resolved = configured(settings).orElseGet(this::fromSecret);
                }
                token = resolved;
            }
        }
        return token;
    }

    /** The token set in the operator's configuration, if any. */
    public static Optional<String> configured(FaultlineConfig.Sidecar settings) {
        if (settings.token().isPresent() && !settings.token().get().isBlank()) {
            return settings.token().map(String::trim);
        }
        return settings.tokenFile().map(file -> {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read faultline.sidecar.token-file " + file + ": " + e.getMessage(), e);
            }
        });
    }

    private String fromSecret() {
        Optional<String> existing = read();
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        Secret secret = new SecretBuilder().withNewMetadata().withName(secretName).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "faultline-operator").endMetadata()
                .withType("Opaque").withData(Map.of(KEY, Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))))
                .build();
        try {
            client.secrets().inNamespace(namespace).resource(secret).create();
            LOG.infof("sidecar admin token generated and kept in Secret %s/%s (no faultline.sidecar.token was set)", namespace, secretName);
            return token;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return read().orElseThrow(() -> new IllegalStateException("Secret " + namespace + "/" + secretName
                    + " exists but has no key " + KEY));
        }
    }

    private Optional<String> read() {
        Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null) {
            return Optional.empty();
        }
        String encoded = secret.getData() == null ? null : secret.getData().get(KEY);
        if (encoded == null || encoded.isBlank()) {
            throw new IllegalStateException("Secret " + namespace + "/" + secretName + " has no key " + KEY
                    + ": add one, or delete the Secret and the operator generates a token");
        }
        return Optional.of(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).trim());
    }
}
