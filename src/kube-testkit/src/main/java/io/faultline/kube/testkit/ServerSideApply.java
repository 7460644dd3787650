package io.faultline.kube.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;

/**
 * Server-side apply of multi-document YAML, document by document, in order (as {@code kubectl apply --server-side}).
 * A CustomResourceDefinition is waited for until it is Established, so that later documents may be of its kind.
 * A rejected document throws an {@link ApplyException} carrying the API server's own message; the documents before
 * it stay applied.
 *
 * <pre>{@code
 * server.apply().fieldManager("faultline-install").force().yaml(Files.readString(manifest));
 * server.apply().inNamespace("shop").file(Path.of("src/examples/k8s/latency.yaml"));
 * }</pre>
 *
 * Instances are immutable: each {@code with}-style method returns a new one.
 */
public final class ServerSideApply {
    public static final String DEFAULT_FIELD_MANAGER = "faultline-tests";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CRD_ESTABLISHED = Duration.ofSeconds(60);
    private static final Duration DISCOVERY_LAG = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final String fieldManager;
    private final boolean force;
    private final String namespace;

    ServerSideApply(KubernetesClient client) {
        this(client, DEFAULT_FIELD_MANAGER, false, null);
    }

    private ServerSideApply(KubernetesClient client, String fieldManager, boolean force, String namespace) {
        this.client = client;
        this.fieldManager = fieldManager;
        this.force = force;
        this.namespace = namespace;
    }

    /** Server-side apply with any client (e.g. one impersonating a ServiceAccount). */
    public static ServerSideApply with(KubernetesClient client) {
        return new ServerSideApply(client);
    }

    public ServerSideApply fieldManager(String manager) {
        return new ServerSideApply(client, manager, force, namespace);
    }

    /** Take ownership of fields another manager owns ({@code --force-conflicts}). */
    public ServerSideApply force() {
        return new ServerSideApply(client, fieldManager, true, namespace);
    }

    /** Namespace for namespaced documents that name none (default: the client's, {@code default}). */
    public ServerSideApply inNamespace(String ns) {
        return new ServerSideApply(client, fieldManager, force, ns);
    }

    public List<HasMetadata> file(Path file) {
        try {
            return yaml(Files.readString(file), file.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Applies every document of {@code multiDocumentYaml} in order; returns what the API server stored. */
    public List<HasMetadata> yaml(String multiDocumentYaml) {
        return yaml(multiDocumentYaml, "yaml");
    }

    private List<HasMetadata> yaml(String multiDocumentYaml, String source) {
        List<HasMetadata> applied = new ArrayList<>();
        List<JsonNode> documents = documents(multiDocumentYaml, source);
        for (int i = 0; i < documents.size(); i++) {
            HasMetadata resource = toResource(documents.get(i), source, i);
            applied.add(apply(resource, source + " document " + (i + 1)));
        }
        return applied;
    }

    /** Applies one resource. */
    public HasMetadata resource(HasMetadata resource) {
        return apply(resource, "resource");
    }

    /** Splits YAML into its non-empty documents; a {@code kind: List} contributes its items. */
    public static List<JsonNode> documents(String multiDocumentYaml, String source) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(multiDocumentYaml)) {
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                if (node == null || node.isNull() || node.isMissingNode() || node.isEmpty()) {
                    continue;
                }
                if ("List".equals(node.path("kind").asText()) && node.path("items").isArray()) {
                    node.path("items").forEach(documents::add);
                } else {
                    documents.add(node);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not valid YAML: " + e.getMessage(), e);
        }
        return documents;
    }

    private HasMetadata toResource(JsonNode document, String source, int index) {
        try {
            return client.getKubernetesSerialization().unmarshal(JSON.writeValueAsString(document));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(source + " document " + (index + 1) + " is not a Kubernetes resource: "
                    + e.getMessage(), e);
        }
    }

    private HasMetadata apply(HasMetadata resource, String where) {
        long deadline = System.nanoTime() + DISCOVERY_LAG.toNanos();
        while (true) {
            try {
                HasMetadata applied = applyOnce(resource);
                if (applied instanceof CustomResourceDefinition crd) {
                    awaitEstablished(crd);
                }
                return applied;
            } catch (KubernetesClientException e) {
                if (unknownKindYet(e) && System.nanoTime() < deadline) {
                    Pause.millis(250);
                    continue;
                }
                throw new ApplyException(where, resource, targetNamespace(resource), e);
            }
        }
    }

    private String targetNamespace(HasMetadata resource) {
        return resource.getMetadata().getNamespace() != null ? resource.getMetadata().getNamespace() : namespace;
    }

    private HasMetadata applyOnce(HasMetadata resource) {
        Resource<HasMetadata> op = namespace != null && resource.getMetadata().getNamespace() == null
                ? client.resource(resource).inNamespace(namespace)
                : client.resource(resource);
        return force ? op.fieldManager(fieldManager).forceConflicts().serverSideApply()
                : op.fieldManager(fieldManager).serverSideApply();
    }

    /** A kind whose CRD was just established may be missing from discovery for a moment. */
    private static boolean unknownKindYet(KubernetesClientException e) {
        String message = String.valueOf(e.getMessage());
        boolean notServedYet = e.getCode() == 404 && message.contains("the server could not find the requested resource");
        boolean notDiscoveredYet = message.contains("Could not find the metadata")
                || message.contains("No resource type found");
        return notServedYet || notDiscoveredYet;
    }

    private void awaitEstablished(CustomResourceDefinition crd) {
        client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream()
                                .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                        CRD_ESTABLISHED.toSeconds(), TimeUnit.SECONDS);
    }
}
