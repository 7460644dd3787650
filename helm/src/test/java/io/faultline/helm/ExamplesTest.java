package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
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
 * Every resource under src/examples/k8s is valid: it reads into the CRD Java model without losing a field, and passes
 * the generated CRD's schema (types, unknown fields, required, enums, patterns, ranges, CEL rules). The examples cover
 * every fault kind, so they cannot rot when the model changes.
 */
class ExamplesTest {
    private static final Map<String, Class<? extends HasMetadata>> MODEL = Map.of("FaultSession", FaultSession.class,
            "QoSProfile", QoSProfile.class);
    private static Map<String, CrdSchema> schemas;

    @BeforeAll
    static void loadSchemas() {
        schemas = CrdSchema.generated();
    }

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
    void passesTheGeneratedCrdSchema(Example example) {
        assertThat(schemas.get(example.kind()).validate(example.resource())).as(example.toString()).isEmpty();
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
    void everyCelRuleOfTheCrdsIsImplemented() {
        List<String> rules = new ArrayList<>();
        schemas.values().forEach(schema -> schema.schema().findValues("x-kubernetes-validations")
                .forEach(list -> list.forEach(rule -> rules.add(rule.path("rule").asText()))));

        assertThat(rules).hasSizeGreaterThanOrEqualTo(10);
        for (String rule : rules) {
            assertThatCode(() -> CelRules.holds(rule, Manifests.YAML.createObjectNode())).as(rule).doesNotThrowAnyException();
        }
        // The union rule (the exactly-one-of rule naming latency; body and serverOverload have small ones of their own)
        // names every fault kind of the model.
        assertThat(rules.stream().map(CelRules::exactlyOneOf).filter(l -> l.contains("latency")).findFirst().orElseThrow())
                .containsExactlyElementsOf(FaultSpec.KIND_NAMES);
    }

    static Stream<Arguments> brokenResources() {
        return Stream.of(
                broken("two fault kinds", s -> fault(s).set("down", Manifests.YAML.createObjectNode()),
                        "spec.faults[0]: exactly one fault kind must be set"),
                broken("no fault kind", s -> fault(s).remove("latency"), "spec.faults[0]: exactly one fault kind must be set"),
                broken("bad duration", s -> ((ObjectNode) fault(s).path("latency")).put("fixed", "200 ms"),
                        "spec.faults[0].latency.fixed: '200 ms' does not match"),
                broken("unknown field", s -> ((ObjectNode) fault(s).path("latency")).put("mean", "1s"),
                        "spec.faults[0].latency.mean: unknown field"),
                broken("bad enum", s -> ((ObjectNode) fault(s).path("latency")).put("distribution", "gaussian"),
                        "spec.faults[0].latency.distribution: 'gaussian' is not one of"),
                broken("probability above 1", s -> fault(s).put("probability", 1.5), "spec.faults[0].probability: 1.5 is above the maximum"),
                broken("percent above 100", s -> s.set("sampling", Manifests.YAML.createObjectNode().put("mode", "Percent").put("value", 150)),
                        "spec.sampling: Percent value must be between 1 and 100"),
                broken("count without value", s -> s.set("sampling", Manifests.YAML.createObjectNode().put("mode", "Count")),
                        "spec.sampling: value is required for Count and Percent"),
                broken("missing targets", s -> s.remove("targets"), "spec.targets: required"),
                broken("port and mapping", s -> ((ObjectNode) s.path("targets").get(0)).put("mapping", "15001=x:80"),
                        "spec.targets[0]: set exactly one of port (inbound target) or mapping"),
                broken("duplicate fault names", s -> ((ArrayNode) s.path("faults")).add(fault(s).deepCopy()),
                        "spec: fault names must be unique"),
                broken("unknown target", s -> fault(s).set("targets", Manifests.YAML.createArrayNode().add("nope")),
                        "spec: every name in a fault's targets must be the name of one of spec.targets"),
                broken("string port", s -> ((ObjectNode) s.path("targets").get(0)).put("port", "8080"),
                        "spec.targets[0].port: must be of type integer"),
                broken("path and pathRegex", s -> fault(s).putObject("match").put("path", "/a/**").put("pathRegex", "/a/.*"),
                        "spec.faults[0].match: give path (a glob) or pathRegex, not both"),
                broken("relative path glob", s -> fault(s).putObject("match").put("path", "api/**"),
                        "spec.faults[0].match.path: 'api/**' does not match ^/"),
                broken("header condition with exact and regex", s -> fault(s).putObject("match").putObject("headers")
                        .putObject("x-tier").put("exact", "free").put("regex", "f.*"),
                        "spec.faults[0].match.headers.x-tier: give exactly one of exact (a value), regex (full match) or present"),
                broken("empty query condition", s -> fault(s).putObject("match").putObject("query").putObject("q"),
                        "spec.faults[0].match.query.q: give exactly one of exact (a value), regex (full match) or present"),
                broken("header value as a plain string", s -> fault(s).putObject("match").putObject("headers").put("x-tier", "free"),
                        "spec.faults[0].match.headers.x-tier: must be of type object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenResources")
    void theSchemaCheckRejectsABrokenExample(String what, Consumer<ObjectNode> breakIt, String expected) throws IOException {
        JsonNode resource = examples().stream().filter(e -> e.file().equals("latency.yaml")).findFirst().orElseThrow().resource().deepCopy();
        breakIt.accept((ObjectNode) resource.path("spec"));

        assertThat(schemas.get("FaultSession").validate(resource)).anyMatch(problem -> problem.startsWith(expected));
    }

    private static Arguments broken(String what, Consumer<ObjectNode> breakIt, String expected) {
        return Arguments.of(what, breakIt, expected);
    }

    private static ObjectNode fault(ObjectNode spec) {
        return (ObjectNode) spec.path("faults").get(0);
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
