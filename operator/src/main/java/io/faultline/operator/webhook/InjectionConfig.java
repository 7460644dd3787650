package io.faultline.operator.webhook;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What the injection webhook adds to pods ({@code faultline.injection.*}); pod annotations override some of it. */
@ConfigMapping(prefix = "faultline.injection")
public interface InjectionConfig {
    /** Sidecar image (pod annotation {@code faultline.io/sidecar-image} overrides). */
    @WithDefault("ghcr.io/faultline/faultline-sidecar:0.1.0")
    String image();

    @WithDefault("IfNotPresent")
    String imagePullPolicy();

    /** Image of the transparent-mode init container: needs {@code sh} and {@code iptables}. */
    @WithDefault("ghcr.io/faultline/faultline-init:0.1.0")
    String initImage();

    @WithDefault("50m")
    String cpuRequest();

    @WithDefault("64Mi")
    String memoryRequest();

    Optional<String> cpuLimit();

    @WithDefault("128Mi")
    String memoryLimit();

    /** UID the sidecar runs as (non-root). */
    @WithDefault("1337")
    long sidecarUid();

    /** true: the sidecar is a native sidecar (init container with restartPolicy Always, Kubernetes 1.29+). */
    @WithDefault("false")
    boolean nativeSidecar();

    /** explicit | transparent (pod annotation {@code faultline.io/interception} overrides). */
    @WithDefault("explicit")
    String interception();

    /** Name of the Secret (key {@code token}) the operator keeps in every opted-in namespace: the sidecars' admin token. */
    @WithDefault("faultline-sidecar-token")
    String tokenSecretName();

    /** The operator's own namespace: never injected. */
    @WithDefault("${POD_NAMESPACE:faultline-system}")
    String operatorNamespace();
}
