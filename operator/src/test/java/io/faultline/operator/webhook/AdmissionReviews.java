package io.faultline.operator.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** AdmissionReview fixtures as the API server sends them. */
final class AdmissionReviews {
    static final ObjectMapper JSON = new ObjectMapper();

    private AdmissionReviews() {
    }

    static Pod checkoutPod() {
        return new PodBuilder().withNewMetadata().withGenerateName("checkout-").withNamespace("shop").addToLabels("app", "checkout")
                .endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example/app:1").addNewPort().withName("http")
                .withContainerPort(8080).withProtocol("TCP").endPort().endContainer().endSpec().build();
    }

    static ObjectNode podCreate(String uid, Pod pod, String namespace) {
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", uid).put("operation", "CREATE").put("namespace", namespace);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.set("object", JSON.valueToTree(pod));
        request.put("dryRun", false);
        return review;
    }
}
