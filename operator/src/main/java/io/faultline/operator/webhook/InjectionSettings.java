package io.faultline.operator.webhook;

import java.util.HashSet;
import java.util.Set;

import io.faultline.operator.config.FaultlineConfig;

/**
 * The operator-wide injection settings as plain values, so the mutation is a pure function testable without Quarkus.
 *
 * @param cpuLimit null for no CPU limit
 */
public record InjectionSettings(String image, String imagePullPolicy, String initImage, String cpuRequest, String memoryRequest,
        String cpuLimit, String memoryLimit, long sidecarUid, int adminPort, boolean nativeSidecar, Interception interception,
        String tokenSecretName, Set<String> excludedNamespaces) {

    public static InjectionSettings from(InjectionConfig injection, FaultlineConfig operator) {
        Set<String> excluded = new HashSet<>(InjectionAnnotations.SYSTEM_NAMESPACES);
        excluded.add(injection.operatorNamespace());
        return new InjectionSettings(injection.image(), injection.imagePullPolicy(), injection.initImage(), injection.cpuRequest(),
                injection.memoryRequest(), injection.cpuLimit().orElse(null), injection.memoryLimit(), injection.sidecarUid(),
                operator.sidecar().defaultAdminPort(), injection.nativeSidecar(),
                Interception.parse(injection.interception(), "faultline.injection.interception"), injection.tokenSecretName(),
                Set.copyOf(excluded));
    }

    /** The defaults of {@link InjectionConfig}, with the given operator namespace (tests and documentation). */
    public static InjectionSettings defaults(String operatorNamespace) {
        Set<String> excluded = new HashSet<>(InjectionAnnotations.SYSTEM_NAMESPACES);
        excluded.add(operatorNamespace);
        return new InjectionSettings("ghcr.io/faultline/faultline-sidecar:0.1.0", "IfNotPresent",
                "ghcr.io/faultline/faultline-init:0.1.0", "50m", "64Mi", null, "128Mi", 1337, 15000, false, Interception.EXPLICIT,
                "faultline-sidecar-token", Set.copyOf(excluded));
    }

    public InjectionSettings withNativeSidecar(boolean nativeSidecar) {
        return new InjectionSettings(image, imagePullPolicy, initImage, cpuRequest, memoryRequest, cpuLimit, memoryLimit, sidecarUid,
                adminPort, nativeSidecar, interception, tokenSecretName, excludedNamespaces);
    }

    public InjectionSettings withInterception(Interception interception) {
        return new InjectionSettings(image, imagePullPolicy, initImage, cpuRequest, memoryRequest, cpuLimit, memoryLimit, sidecarUid,
                adminPort, nativeSidecar, interception, tokenSecretName, excludedNamespaces);
    }
}
