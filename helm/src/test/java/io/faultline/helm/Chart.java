package io.faultline.helm;

import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

/** The chart rendered by the Helm library embedded in helm-java (no helm binary, no cluster, no network). */
final class Chart {
    static final String RELEASE = "faultline";
    static final String NAMESPACE = "faultline-system";
    /** The Kubernetes version templates see (helm template defaults to 1.20, below the chart's kubeVersion). */
    static final String KUBE_VERSION = "1.30.0";

    private Chart() {
    }

    static Helm helm() {
        return new Helm(Repo.CHART);
    }

    /** helm template faultline helm/faultline -n faultline-system --set k=v ... (CRDs included). */
    static Manifests render(Map<String, Object> values) {
        return Manifests.parse(renderText(values));
    }

    static String renderText(Map<String, Object> values) {
        TemplateCommand template = helm().template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        return template.call();
    }
}
