package io.faultline.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;

/**
 * Pins the webhook's output: for every directory under {@code src/test/resources/webhook/golden}, pod (+ context) →
 * decision, JSON patch and mutated pod must equal the stored files. A stale golden fails with a diff. Regenerate with
 * {@code ./mvnw -B verify -pl operator -Dtest=GoldenFilesTest -Dfaultline.golden.update=true} and review the git diff.
 * Each case also checks what must hold whatever the goldens say: the patch turns the input into the mutated pod, it
 * uses add/replace/remove only, and injecting the mutated pod again changes nothing.
 */
class GoldenFilesTest {
    static final Path ROOT = Path.of("src/test/resources/webhook/golden");
    private static final boolean UPDATE = Boolean.getBoolean("faultline.golden.update");
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static final List<String> REQUIRED_CASES = List.of("plain-pod", "several-containers", "named-ports", "probes", "opt-out",
            "host-network", "already-injected", "transparent", "native-sidecar", "resource-overrides", "active-session",
            "transparent-outbound");

    @Test
    void everyRequiredCaseHasAGolden() {
        for (String name : REQUIRED_CASES) {
            assertThat(ROOT.resolve(name).resolve("pod.json")).as("golden case %s", name).exists();
        }
    }

    @TestFactory
    Stream<DynamicTest> goldens() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(Files::isDirectory).sorted().toList().stream()
                    .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(GoldenCase.load(dir))));
        }
    }

    @Test
    void aStaleGoldenFailsWithTheDifference(@TempDir Path temp) throws IOException {
        assumeFalse(UPDATE, "goldens are being regenerated");
        Path copy = temp.resolve("probes");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(ROOT.resolve("probes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        check(GoldenCase.load(copy)); // an unchanged copy passes
        Files.writeString(copy.resolve("mutated.json"), Files.readString(copy.resolve("mutated.json")).replace("app-8080", "app-port"));

        assertThatThrownBy(() -> check(GoldenCase.load(copy)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("probes/mutated.json is stale")
                .hasMessageContaining("\"path\" : \"/spec/containers/0/ports/0/name\"")
                .hasMessageContaining("\"value\" : \"app-8080\"");
    }

    private static void check(GoldenCase golden) throws IOException {
        PodInjector.Result result = golden.run();
        ArrayNode patch = JsonPatches.diff(golden.pod(), result.mutated());
        JsonNode mutated = GoldenCase.JSON.valueToTree(result.mutated());
        JsonNode decision = GoldenCase.decisionJson(result.decision());

        JsonNode original = GoldenCase.JSON.valueToTree(golden.pod());
        assertThat(JsonPatch.apply(patch, original)).as("the patch applied to the input gives the mutated pod").isEqualTo(mutated);
        assertThat(result.decision().inject()).as("a pod that is not injected gets an empty patch").isEqualTo(!patch.isEmpty());
        Pod again = GoldenCase.JSON.treeToValue(mutated, Pod.class);
        PodInjector.Result second = PodInjector.inject(new PodInjector.Request(again, golden.namespace(), golden.namespaceLabels(),
                golden.settings(), List.of()));
        assertThat(JsonPatches.diff(again, second.mutated())).as("injecting twice changes nothing").isEmpty();

        compare(golden, "decision.json", decision);
        compare(golden, "patch.json", patch);
        compare(golden, "mutated.json", mutated);
    }

    private static void compare(GoldenCase golden, String file, JsonNode actual) throws IOException {
        Path path = golden.dir().resolve(file);
        String rendered = PRETTY.writeValueAsString(actual) + "\n";
        if (UPDATE) {
            Files.writeString(path, rendered);
            return;
        }
        if (!Files.exists(path)) {
            fail(golden.name() + "/" + file + " is missing; generate it with -Dfaultline.golden.update=true. Actual:\n" + rendered);
        }
        JsonNode expected = GoldenCase.JSON.readTree(path.toFile());
        if (!expected.equals(GoldenCase.JSON.readTree(rendered))) { // compared as parsed text: 1337L and 1337 are equal
            fail(golden.name() + "/" + file + " is stale (regenerate with -Dfaultline.golden.update=true and review). Changes from"
                    + " the golden to the actual output:\n" + PRETTY.writeValueAsString(JsonPatches.diff(expected, actual))
                    + "\nActual:\n" + rendered);
        }
    }
}
