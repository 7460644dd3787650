package io.faultline.operator.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The webhook's HTTPS endpoint and certificates ({@code faultline.webhook.*}). */
@ConfigMapping(prefix = "faultline.webhook")
public interface WebhookConfig {
    /** false: no endpoint, no certificates (e.g. a second operator deployment that only reconciles). */
    @WithDefault("true")
    boolean enabled();

    @WithDefault("0.0.0.0")
    String host();

    /** 0 binds an ephemeral port (tests). */
    @WithDefault("8443")
    int port();

    @WithDefault("4")
    int threads();

    /** The Service in front of the operator that the MutatingWebhookConfiguration calls: names the serving certificate. */
    @WithDefault("faultline-webhook")
    String serviceName();

    /** The MutatingWebhookConfiguration whose caBundle the operator keeps current. */
    @WithDefault("faultline-injector")
    String configurationName();

    /** Secret (in the operator's namespace) holding ca.crt, ca.key, tls.crt, tls.key. */
    @WithDefault("faultline-webhook-certs")
    String certSecretName();

    /**
     * true: the Secret is written by cert-manager (tls.crt, tls.key, ca.crt); the operator only reads it, serves it, and
     * copies ca.crt into caBundle (unless cert-manager's CA injector does so already).
     */
    @WithDefault("false")
    boolean certManager();

    @WithDefault("3650d")
    Duration caValidity();

    @WithDefault("365d")
    Duration certValidity();

    /** Certificates are renewed this long before they end. */
    @WithDefault("30d")
    Duration renewBefore();

    /** How often the certificates are checked (and renewed when due). */
    @WithDefault("1h")
    Duration checkInterval();

    /** Extra DNS names for the serving certificate (e.g. localhost in tests). */
    Optional<List<String>> extraDnsNames();

    /** IP addresses for the serving certificate. */
    Optional<List<String>> ipAddresses();
}
