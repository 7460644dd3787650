package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;
import io.faultline.crds.spec.FaultSpec;

/**
 * Every resource under src/examples/k8s reads into the CRD Java model without losing a field, and the examples cover
 * every fault kind, so they cannot rot when the model changes. Whether the API server accepts them (schema, CEL rules)
 * and the operator too is decided on a real API server: faultline-e2e's InstallArtifactsTest.
 */
class ExamplesTest {
    private static final Map<String, Class<? extends HasMetadata>> MODEL = Map.of("FaultSession", FaultSession.class,
            "QoSProfile", QoSProfile.class);
    private static final Pattern HAS = Pattern.compile("has\\(self\\.(\\w+)\\)");

    record Example(String file, int index, JsonNode resource) {
        String kind() {
            return resource.path("kind").asText();
        }

        @Override
        public String toString() {
            return file + "#" + index + " " + kind() + "/" + resource.path("metadata").path("name").asText();
        }
    }

    static List<Example> examples() throws IOException {
        List<Example> examples = new ArrayList<>();
        try (Stream<Path> files = Files.list(Repo.K8S_EXAMPLES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().collect(Collectors.toList())) {
                List<JsonNode> documents = Manifests.parse(Files.readString(file)).all();
                for (int i = 0; i < documents.size(); i++) {
                    examples.add(new Example(file.getFileName().toString(), i, documents.get(i)));
                }
            }
        }
        return examples;
    }

    static Stream<Arguments> eachExample() throws IOException {
        return examples().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eachExample")
    void isAFaultlineResourceWithAValidName(Example example) {
        assertThat(example.resource().path("apiVersion").asText()).isEqualTo("faultline.io/v1alpha1");
        assertThat(MODEL).containsKey(example.kind());
        assertThat(example.resource().path("metadata").path("name").asText()).matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
        assertThat(example.resource().path("metadata").path("namespace").asText()).isEqualTo("shop");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eachExample")
    void readsIntoTheModelWithoutLosingAField(Example example) throws IOException {
        HasMetadata model = Serialization.unmarshal(Manifests.YAML.writeValueAsString(example.resource()), MODEL.get(example.kind()));
        JsonNode written = Manifests.YAML.readTree(Serialization.asJson(model));

        assertThat(numbersAsDoubles(written.path("spec"))).as("%s: the spec written back from the model", example)
                .isEqualTo(numbersAsDoubles(example.resource().path("spec")));
    }

    @Test
    void everyFaultKindHasAnExampleOfItsOwn() throws IOException {
        Set<String> alone = new TreeSet<>();
        for (Example example : examples()) {
            JsonNode faults = example.resource().path("spec").path("faults");
            if (faults.size() == 1) {
                FaultSpec.KIND_NAMES.stream().filter(faults.get(0)::has).forEach(alone::add);
            }
        }
        assertThat(alone).containsExactlyInAnyOrderElementsOf(FaultSpec.KIND_NAMES);
    }

    @Test
    void scheduleQosProfileAndHttpRulesAreShown() throws IOException {
        List<Example> examples = examples();
        assertThat(examples).anyMatch(e -> e.resource().path("spec").path("schedule").has("startAt")
                && e.resource().path("spec").path("schedule").has("duration"));
        assertThat(examples).anyMatch(e -> e.kind().equals("QoSProfile"));
        assertThat(examples).anyMatch(e -> e.resource().path("spec").path("faults").size() >= 3
                && e.resource().path("spec").path("faults").findValues("match").size() >= 3);
        Set<String> profiles = examples.stream().filter(e -> e.kind().equals("QoSProfile"))
                .map(e -> e.resource().path("metadata").path("name").asText()).collect(Collectors.toSet());
        examples.stream().map(e -> e.resource().path("spec").path("qosProfileRef").path("name"))
                .filter(JsonNode::isTextual).forEach(ref -> assertThat(profiles).as("profile referenced").contains(ref.asText()));
    }

    @Test
    void theExactlyOneKindRuleNamesEveryFaultKind() throws IOException {
        JsonNode crd = Manifests.YAML.readTree(Repo.GENERATED_CRDS.resolve("faultsessions.faultline.io-v1.yml").toFile());
        String rule = crd.findValues("x-kubernetes-validations").stream().flatMap(list -> {
            List<String> rules = new ArrayList<>();
            list.forEach(r -> rules.add(r.path("rule").asText()));
            return rules.stream();
        }).filter(r -> r.contains("has(self.latency)")).findFirst().orElseThrow();
        List<String> kinds = new ArrayList<>();
        Matcher has = HAS.matcher(rule);
        while (has.find()) {
            kinds.add(has.group(1));
        }
        assertThat(kinds).containsExactlyElementsOf(FaultSpec.KIND_NAMES);
    }

    /** YAML 1 and 1.0 are the same number; the model writes some numbers (probabilities, loads) as doubles. */
    private static JsonNode numbersAsDoubles(JsonNode node) {
        if (node.isNumber()) {
            return Manifests.YAML.getNodeFactory().numberNode(node.asDouble());
        }
        JsonNode copy = node.deepCopy();
        if (copy.isObject()) {
            node.fields().forEachRemaining(e -> ((ObjectNode) copy).set(e.getKey(), numbersAsDoubles(e.getValue())));
        } else if (copy.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                ((ArrayNode) copy).set(i, numbersAsDoubles(node.get(i)));
            }
        }
        return copy;
    }
}
