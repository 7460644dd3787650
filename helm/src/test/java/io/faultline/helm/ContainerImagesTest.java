package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * No Docker engine here, so the container build files are checked against what they must agree with: the chart's
 * image defaults (names and tags), the build outputs they copy, the chart's ports and user, and the documented
 * build commands.
 */
class ContainerImagesTest {
    private static final Path OPERATOR = Repo.ROOT.resolve("operator/src/main/docker/Dockerfile.jvm");
    private static final Path SIDECAR = Repo.ROOT.resolve("sidecar/Dockerfile");
    private static final Path INIT = Repo.ROOT.resolve("sidecar/Dockerfile.init");
    private static final Pattern BUILD_COMMAND = Pattern.compile("docker build -f (\\S+) -t (\\S+):(\\S+) (\\S+)");

    private static JsonNode values;
    private static String appVersion;

    @BeforeAll
    static void readChart() throws IOException {
        values = Manifests.YAML.readTree(Repo.CHART.resolve("values.yaml").toFile());
        appVersion = Manifests.YAML.readTree(Repo.CHART.resolve("Chart.yaml").toFile()).path("appVersion").asText();
    }

    @ParameterizedTest
    @ValueSource(strings = {"operator", "sidecar", "initImage"})
    void imageNameAndVersionMatchTheChartDefaults(String component) {
        Path dockerfile = dockerfileOf(component);
        String repository = imageValues(component).path("repository").asText();
        String text = Repo.read(dockerfile);

        assertThat(label(text, "io.faultline.image")).as("%s: io.faultline.image label vs values.yaml", dockerfile).isEqualTo(repository);
        assertThat(argDefault(text, "VERSION")).as("%s: ARG VERSION vs Chart.yaml appVersion", dockerfile).isEqualTo(appVersion);
        assertThat(imageValues(component).path("tag").asText()).as("tags default to appVersion").isEmpty();
        List<String[]> builds = buildCommands(text);
        assertThat(builds).as("%s documents its docker build command", dockerfile).hasSize(1);
        assertThat(builds.get(0)[0]).isEqualTo(Repo.ROOT.relativize(dockerfile).toString());
        assertThat(builds.get(0)[1] + ":" + builds.get(0)[2]).isEqualTo(repository + ":" + appVersion);
    }

    @Test
    void readmeBuildCommandsAreTheDockerfilesOwn() {
        String readme = Repo.read(Repo.ROOT.resolve("helm/README.md"));
        List<String[]> documented = buildCommands(readme);

        assertThat(documented).extracting(b -> b[0]).containsExactlyInAnyOrder(
                "operator/src/main/docker/Dockerfile.jvm", "sidecar/Dockerfile", "sidecar/Dockerfile.init");
        for (String[] build : documented) {
            String own = Repo.read(Repo.ROOT.resolve(build[0]));
            assertThat(own).as("README's command for %s", build[0]).contains(String.join(" ", "docker build -f", build[0], "-t",
                    build[1] + ":" + build[2].replace("${VERSION}", appVersion), build[3]).replace("${VERSION}", appVersion));
        }
    }

    @Test
    void imagesCopyWhatTheBuildProduces() {
        String sidecarPom = Repo.read(Repo.ROOT.resolve("sidecar/pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(sidecarPom);
        assertThat(finalName.find()).as("sidecar/pom.xml names its shaded jar").isTrue();
        String jar = finalName.group(1) + ".jar";
        assertThat(Repo.read(SIDECAR)).contains("COPY target/" + jar + " ").contains("\"-jar\", \"/opt/faultline/" + jar + "\"");

        // Quarkus' default package type is the fast-jar: target/quarkus-app with quarkus-run.jar.
        String operator = Repo.read(OPERATOR);
        assertThat(Repo.read(Repo.ROOT.resolve("operator/src/main/resources/application.properties")))
                .doesNotContain("quarkus.package.jar.type");
        assertThat(operator).contains("COPY target/quarkus-app/lib/").contains("/deployments/quarkus-run.jar");
    }

    @Test
    void operatorImageAgreesWithTheDeployment() {
        JsonNode pod = Chart.render(Map.of()).get("Deployment", "faultline-operator").path("spec").path("template").path("spec");
        String text = Repo.read(OPERATOR);

        assertThat(user(text)).isEqualTo(pod.path("securityContext").path("runAsUser").asText());
        assertThat(exposed(text)).containsExactlyInAnyOrder(ChartDefaultsTest.ports(pod.path("containers").get(0)).values().stream()
                .map(String::valueOf).toArray(String[]::new));
    }

    @Test
    void sidecarImageIsSmallNonRootAndTunedForASidecar() {
        String text = Repo.read(SIDECAR);

        assertThat(user(text)).isNotIn("0", "root").matches("[0-9]+");
        // The webhook sets the sidecar's runAsUser: the image's own user is the same, so files and logs agree.
        String injection = Repo.read(Repo.OPERATOR_SOURCES.resolve("io/faultline/operator/webhook/InjectionConfig.java"));
        Matcher uid = Pattern.compile("@WithDefault\\(\"(\\d+)\"\\)\\s+long sidecarUid\\(\\)").matcher(injection);
        assertThat(uid.find()).as("InjectionConfig.sidecarUid default").isTrue();
        assertThat(user(text)).isEqualTo(uid.group(1));
        assertThat(exposed(text)).containsExactly(values.path("sidecar").path("adminPort").asText());
        assertThat(text).contains("-XX:+UseSerialGC").contains("-Xmx64m").contains("-Xss256k").contains("-XX:MaxDirectMemorySize=");
        // Every flag is one BENCHMARKS.md measured and recommends for the sidecar container.
        Path benchmarks = Repo.ROOT.resolve("BENCHMARKS.md");
        if (java.nio.file.Files.exists(benchmarks)) {
            String measured = Repo.read(benchmarks);
            String recommended = measured.substring(measured.indexOf("## JVM flags for the sidecar container"));
            Matcher options = Pattern.compile("JDK_JAVA_OPTIONS=\"([^\"]+)\"").matcher(text);
            assertThat(options.find()).isTrue();
            for (String flag : options.group(1).split("\\s+")) {
                assertThat(recommended).as("BENCHMARKS.md recommends %s", flag).contains(flag);
            }
        }
        assertThat(text).doesNotContain("VOLUME").doesNotContain("RUN ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"operator", "sidecar", "initImage"})
    void baseImagesArePinnedAndEntrypointsUseExecForm(String component) {
        String text = Repo.read(dockerfileOf(component));
        Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(text);

        assertThat(from.find()).isTrue();
        assertThat(from.group(1)).contains(":").doesNotEndWith(":latest");
        assertThat(text).containsPattern("(?m)^ENTRYPOINT \\[");
        assertThat(text).containsPattern("(?m)^USER ");
    }

    private static Path dockerfileOf(String component) {
        return switch (component) {
            case "operator" -> OPERATOR;
            case "sidecar" -> SIDECAR;
            default -> INIT;
        };
    }

    private static JsonNode imageValues(String component) {
        return switch (component) {
            case "operator" -> values.path("operator").path("image");
            case "sidecar" -> values.path("sidecar").path("image");
            default -> values.path("sidecar").path("initImage");
        };
    }

    private static List<String[]> buildCommands(String text) {
        List<String[]> commands = new ArrayList<>();
        Matcher m = BUILD_COMMAND.matcher(text);
        while (m.find()) {
            commands.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
        }
        return commands;
    }

    private static String label(String dockerfile, String name) {
        Matcher m = Pattern.compile(Pattern.quote(name) + "=\"([^\"]+)\"").matcher(dockerfile);
        return m.find() ? m.group(1) : null;
    }

    private static String argDefault(String dockerfile, String name) {
        Matcher m = Pattern.compile("(?m)^ARG " + name + "=(\\S+)").matcher(dockerfile);
        return m.find() ? m.group(1) : null;
    }

    private static String user(String dockerfile) {
        Matcher m = Pattern.compile("(?m)^USER (\\w+)").matcher(dockerfile);
        return m.find() ? m.group(1) : null;
    }

    private static List<String> exposed(String dockerfile) {
        Matcher m = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(dockerfile);
        return m.find() ? List.of(m.group(1).trim().split("\\s+")) : List.of();
    }
}
