package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The images are built by images/pom.xml (Jib, OCI archives; run for real by the images module's tests with
 * -Pimages). Here, in every build, what must agree with that build: one set of image names and one tag across the
 * build, the chart's defaults, the install manifest, the operator's defaults, the documentation and the release
 * workflow; the users, ports and JVM flags the chart, the webhook and BENCHMARKS.md expect.
 */
class ContainerImagesTest {
    static final Path IMAGES_POM = Repo.ROOT.resolve("images/pom.xml");
    static final Path RELEASE_WORKFLOW = Repo.ROOT.resolve(".github/workflows/release.yml");
    static final List<String> IMAGES = List.of("faultline-operator", "faultline-sidecar", "faultline-init");
    private static final Pattern IMAGE_REFERENCE = Pattern.compile(
            "([a-z0-9-]+\\.[a-z0-9.-]+(?::\\d+)?(?:/[a-z0-9._-]+)*/faultline-(?:operator|sidecar|init))(:[A-Za-z0-9._${}-]+)?");

    private static JsonNode values;
    private static String appVersion;
    private static String pom;

    @BeforeAll
    static void read() throws IOException {
        values = Manifests.YAML.readTree(Repo.CHART.resolve("values.yaml").toFile());
        appVersion = Manifests.YAML.readTree(Repo.CHART.resolve("Chart.yaml").toFile()).path("appVersion").asText();
        pom = Repo.read(IMAGES_POM);
    }

    static String pomProperty(String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</" + Pattern.quote(name) + ">").matcher(Repo.read(IMAGES_POM));
        assertThat(m.find()).as("images/pom.xml property %s", name).isTrue();
        return m.group(1).trim();
    }

    /** registry/name:tag of an image as the build names it. */
    static String built(String image) {
        return pomProperty("image.registry") + "/" + image + ":" + pomProperty("image.tag");
    }

    @ParameterizedTest
    @ValueSource(strings = {"faultline-operator", "faultline-sidecar", "faultline-init"})
    void theBuildNamesEachImageAsTheChartDoes(String image) {
        JsonNode chartImage = switch (image) {
            case "faultline-operator" -> values.path("operator").path("image");
            case "faultline-sidecar" -> values.path("sidecar").path("image");
            default -> values.path("sidecar").path("initImage");
        };
        assertThat(chartImage.path("tag").asText()).as("tags default to appVersion").isEmpty();
        assertThat(chartImage.path("repository").asText() + ":" + appVersion).isEqualTo(built(image));
        assertThat(pom).contains("<tar>${project.build.directory}/images/" + image + ".tar</tar>");
    }

    @Test
    void installManifestAndOperatorDefaultsUseTheBuiltImages() {
        String manifest = Repo.read(Repo.INSTALL_MANIFEST);
        assertThat(manifest).contains("image: \"" + built("faultline-operator") + "\"");
        assertThat(envValue(manifest, "FAULTLINE_INJECTION_IMAGE")).isEqualTo(built("faultline-sidecar"));
        assertThat(envValue(manifest, "FAULTLINE_INJECTION_INIT_IMAGE")).isEqualTo(built("faultline-init"));

        String injection = Repo.read(Repo.OPERATOR_SOURCES.resolve("io/faultline/operator/webhook/InjectionConfig.java"));
        assertThat(injection).contains("@WithDefault(\"" + built("faultline-sidecar") + "\")\n    String image();")
                .contains("@WithDefault(\"" + built("faultline-init") + "\")\n    String initImage();");
    }

    @Test
    void everyImageReferenceInTheDocumentationIsABuiltImage() throws IOException {
        Set<String> allowed = new LinkedHashSet<>();
        for (String image : IMAGES) {
            allowed.add(built(image));
            allowed.add(pomProperty("image.registry") + "/" + image); // a repository alone (e.g. in --set ...repository=)
            allowed.add(pomProperty("image.registry") + "/" + image + ":${TAG}"); // the workflow's tag variable
        }
        List<Path> documents = new ArrayList<>(List.of(Repo.ROOT.resolve("README.md"), Repo.ROOT.resolve("helm/README.md"),
                Repo.ROOT.resolve("images/README.md"), Repo.CHART.resolve("values.yaml"), Repo.CHART.resolve("templates/NOTES.txt")));
        try (Stream<Path> docs = Files.walk(Repo.ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(documents::add);
        }
        try (Stream<Path> examples = Files.walk(Repo.K8S_EXAMPLES)) {
            examples.filter(Files::isRegularFile).forEach(documents::add);
        }
        int seen = 0;
        for (Path document : documents) {
            if (!Files.exists(document)) {
                continue;
            }
            Matcher m = IMAGE_REFERENCE.matcher(Repo.read(document));
            while (m.find()) {
                seen++;
                if (m.group(1).startsWith(pomProperty("image.registry") + "/")) {
                    assertThat(m.group()).as("image reference in %s", Repo.ROOT.relativize(document)).isIn(allowed);
                } else { // another registry (an example of pushing elsewhere): still the build's tag
                    assertThat(m.group(2)).as("tag of %s in %s", m.group(), Repo.ROOT.relativize(document))
                            .isIn(null, ":" + pomProperty("image.tag"));
                }
            }
        }
        assertThat(seen).as("image references found in the documentation").isPositive();
    }

    @Test
    void usersPortsAndFlagsAreWhatTheChartTheWebhookAndTheBenchmarksExpect() {
        // The webhook sets the sidecar's runAsUser: the image's own user is the same, so files and logs agree.
        String injection = Repo.read(Repo.OPERATOR_SOURCES.resolve("io/faultline/operator/webhook/InjectionConfig.java"));
        Matcher uid = Pattern.compile("@WithDefault\\(\"(\\d+)\"\\)\\s+long sidecarUid\\(\\)").matcher(injection);
        assertThat(uid.find()).as("InjectionConfig.sidecarUid default").isTrue();
        assertThat(pomProperty("sidecar.uid")).isEqualTo(uid.group(1));
        assertThat(pom).contains("<user>${sidecar.uid}:${sidecar.uid}</user>").contains("<port>" + values.path("sidecar").path("adminPort").asText() + "</port>");

        JsonNode pod = Chart.render(Map.of()).get("Deployment", "faultline-operator").path("spec").path("template").path("spec");
        assertThat(pomProperty("operator.uid")).isEqualTo(pod.path("securityContext").path("runAsUser").asText());
        assertThat(pom).contains("<user>${operator.uid}:${operator.uid}</user>");
        for (int port : ChartDefaultsTest.ports(pod.path("containers").get(0)).values()) {
            assertThat(pom).as("the operator image exposes the Deployment's port %d", port).contains("<port>" + port + "</port>");
        }
        assertThat(values.path("operator").path("jvmOptions").asText()).isEqualTo(pomProperty("operator.jvm.flags"));

        String flags = pomProperty("sidecar.jvm.flags");
        assertThat(flags).contains("-XX:+UseSerialGC", "-Xmx64m", "-Xss256k", "-XX:MaxDirectMemorySize=");
        String measured = Repo.read(Repo.ROOT.resolve("BENCHMARKS.md"));
        String recommended = measured.substring(measured.indexOf("## JVM flags for the sidecar container"));
        for (String flag : flags.split("\\s+")) {
            assertThat(recommended).as("BENCHMARKS.md recommends %s", flag).contains(flag);
        }
    }

    @Test
    void releaseWorkflowBuildsTestsAndPushesTheBuiltArchives() throws IOException {
        assertThat(RELEASE_WORKFLOW).as("a release workflow").isRegularFile();
        JsonNode workflow = Manifests.YAML.readTree(RELEASE_WORKFLOW.toFile());
        // YAML 1.1 reads a bare `on:` key as true: GitHub's own reading is the key "on".
        JsonNode on = workflow.has("on") ? workflow.path("on") : workflow.path("true");
        assertThat(on.path("push").path("tags").toString()).as("runs on version tags").contains("v");
        assertThat(workflow.path("permissions").path("packages").asText()).isEqualTo("write");

        List<String> runs = new ArrayList<>();
        workflow.path("jobs").forEach(job -> job.path("steps").forEach(step -> {
            if (step.has("run")) {
                runs.add(step.path("run").asText());
            }
        }));
        String script = String.join("\n", runs).replace("\\\n", " "); // shell line continuations joined
        assertThat(script).as("builds and tests the images with the profile").containsPattern("\\./mvnw -B [^\\n]*verify[^\\n]* -Pimages");
        assertThat(Repo.read(Repo.ROOT.resolve("pom.xml"))).contains("<id>images</id>");
        assertThat(script).as("checks the tag against the build's image tag")
                .contains("help:evaluate -Dexpression=image.tag -q -DforceStdout -pl images");
        for (String image : IMAGES) {
            assertThat(script).as("pushes %s from its archive", image).contains(image);
        }
        Matcher copy = Pattern.compile("skopeo copy --preserve-digests (\\S+) (\\S+)").matcher(script);
        assertThat(copy.find()).as("pushes with skopeo copy --preserve-digests").isTrue();
        assertThat(copy.group(1)).isEqualTo("oci-archive:images/target/images/$image.tar");
        assertThat(copy.group(2)).isEqualTo("docker://" + pomProperty("image.registry") + "/$image:${TAG}");
        assertThat(script).contains("for image in " + String.join(" ", IMAGES) + "; do");
        // Every program the steps call is installed by the workflow or comes with the job's container image.
        for (String program : List.of("skopeo", "iptables", "openjdk-17-jdk-headless")) {
            assertThat(script).as("the workflow installs %s", program).containsPattern("apt-get install[^\\n]*" + program);
        }
    }

    private static String envValue(String manifest, String name) {
        Matcher m = Pattern.compile("- name: " + name + "\\s+value: \"([^\"]+)\"").matcher(manifest);
        assertThat(m.find()).as("%s in the install manifest", name).isTrue();
        return m.group(1);
    }
}
