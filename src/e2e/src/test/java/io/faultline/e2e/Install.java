package io.faultline.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.faultline.kube.testkit.KubeApiServer;

/**
 * The install manifest {@code deploy/faultline.yaml} (the chart rendered with its defaults) applied server-side, as a
 * user would with {@code kubectl apply --server-side}, except its Deployment: the operator runs as a process of the test
 * instead ({@link OperatorProcess}), with that Deployment's environment. The MutatingWebhookConfiguration is applied as
 * shipped and then re-pointed from the in-cluster Service to the operator process's loopback URL.
 */
final class Install {
    static final String NAMESPACE = "faultline-system";
    static final String SERVICE_ACCOUNT = "faultline-operator";
    static final String WEBHOOK_CONFIGURATION = "faultline-webhook";
    static final String FIELD_MANAGER = "e2e-installer";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<JsonNode> documents;

    private Install(List<JsonNode> documents) {
        this.documents = documents;
    }

    static Install manifest() {
        return parse(Repo.INSTALL_MANIFEST);
    }

    static Install parse(Path file) {
        try (YAMLParser parser = new YAMLFactory().createParser(Files.readString(file))) {
            List<JsonNode> documents = new ArrayList<>();
            for (JsonNode node : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (node != null && node.isObject() && node.has("kind")) {
                    documents.add(node);
                }
            }
            return new Install(documents);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    List<JsonNode> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    /** Applies everything but the operator's Deployment, server-side, as cluster admin (CRDs waited for until Established). */
    void apply(KubeApiServer server) {
        for (JsonNode document : documents) {
            if (!"Deployment".equals(document.path("kind").asText())) {
                server.apply().fieldManager(FIELD_MANAGER).force().yaml(document.toString());
            }
        }
    }

    /**
     * The operator container's environment as the Deployment sets it: values, and the Downward API's namespace for
     * {@code fieldRef: metadata.namespace}.
     */
    Map<String, String> operatorEnvironment() {
        JsonNode container = ofKind("Deployment").get(0).path("spec").path("template").path("spec").path("containers").get(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            if (variable.has("value")) {
                env.put(name, variable.path("value").asText());
            } else if ("metadata.namespace".equals(variable.path("valueFrom").path("fieldRef").path("fieldPath").asText())) {
                env.put(name, NAMESPACE);
            } else {
                throw new IllegalStateException("the operator's env " + name + " comes from " + variable.path("valueFrom")
                        + ", which the e2e fixture cannot resolve yet");
            }
        }
        return env;
    }

    /**
     * Points every webhook of the shipped MutatingWebhookConfiguration at {@code url} instead of the in-cluster Service
     * (a JSON patch: only clientConfig.service and clientConfig.url change; the caBundle stays the operator's business).
     */
    static void pointWebhookAt(KubernetesClient admin, String url) {
        MutatingWebhookConfiguration configuration = admin.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(WEBHOOK_CONFIGURATION).get();
        var patch = JSON.createArrayNode();
        for (int i = 0; i < configuration.getWebhooks().size(); i++) {
            var clientConfig = configuration.getWebhooks().get(i).getClientConfig();
            if (clientConfig.getService() != null) {
                patch.add(op("remove", "/webhooks/" + i + "/clientConfig/service", null));
            }
            patch.add(op(clientConfig.getUrl() == null ? "add" : "replace", "/webhooks/" + i + "/clientConfig/url", url));
        }
        admin.admissionRegistration().v1().mutatingWebhookConfigurations().withName(WEBHOOK_CONFIGURATION)
                .patch(PatchContext.of(PatchType.JSON), patch.toString());
    }

    private static ObjectNode op(String op, String path, String value) {
        ObjectNode node = JSON.createObjectNode().put("op", op).put("path", path);
        if (value != null) {
            node.put("value", value);
        }
        return node;
    }
}
