package io.faultline.operator.webhook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.faultline.operator.webhook.InjectionDecision.Reason;

/** The sidecar's requests and limits: operator settings, each overridable by a pod annotation. */
final class SidecarResources {
    private static final Pattern QUANTITY = Pattern.compile("^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$");

    private SidecarResources() {
    }

    static ResourceRequirements of(Map<String, String> annotations, InjectionSettings settings) {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Map<String, Quantity> limits = new LinkedHashMap<>();
        put(requests, "cpu", pick(annotations, InjectionAnnotations.SIDECAR_CPU_REQUEST, settings.cpuRequest()));
        put(requests, "memory", pick(annotations, InjectionAnnotations.SIDECAR_MEMORY_REQUEST, settings.memoryRequest()));
        put(limits, "cpu", pick(annotations, InjectionAnnotations.SIDECAR_CPU_LIMIT, settings.cpuLimit()));
        put(limits, "memory", pick(annotations, InjectionAnnotations.SIDECAR_MEMORY_LIMIT, settings.memoryLimit()));
        return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();
    }

    private static String pick(Map<String, String> annotations, String annotation, String fallback) {
        String value = annotations.get(annotation);
        if (value == null) {
            return fallback;
        }
        if (!QUANTITY.matcher(value.trim()).matches()) {
            throw new NotInjectable(Reason.InvalidAnnotation, "annotation " + annotation + "='" + value
                    + "' is not a Kubernetes quantity such as 100m, 0.5, 64Mi or 1Gi");
        }
        return value.trim();
    }

    private static void put(Map<String, Quantity> map, String resource, String value) {
        if (value != null) {
            map.put(resource, new Quantity(value));
        }
    }
}
