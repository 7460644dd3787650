package io.faultline.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The init image of transparent interception, unpacked from its OCI archive: the webhook's own init container command
 * (taken from the operator's golden files, so it is exactly what the webhook injects) runs in a fresh network
 * namespace as root with only NET_ADMIN and NET_RAW, and the redirect rules are then in that namespace's nat table.
 */
class InitImageTest {
    private static final Path GOLDEN = Images.REPO.resolve("operator/src/test/resources/webhook/golden");

    private static ImageArchive image;
    private static ImageArchive.Unpacked rootfs;

    @BeforeAll
    static void unpack() throws IOException {
        image = Images.archive("faultline-init");
        rootfs = Images.unpack(image, "init");
    }

    @Test
    void configIsAShellRunAsRoot() {
        JsonNode config = image.containerConfig();
        assertThat(config.path("User").asText()).isEqualTo("0:0");
        assertThat(image.entrypoint()).containsExactly("/bin/sh", "-c");
        assertThat(config.path("ExposedPorts").size()).isZero();
        assertThat(config.path("Labels").path("io.faultline.image").asText() + ":"
                + config.path("Labels").path("org.opencontainers.image.version").asText())
                .isEqualTo(Images.property("faultline.image.init"));
        assertThat(image.env().get("PATH")).contains("/usr/sbin");
    }

    @Test
    void rootFilesystemHoldsShellAndIptablesFromDebianPackages() throws IOException {
        long bytes = Images.treeSize(rootfs.root);
        System.out.printf("init image: %s unpacked (%s), %s compressed in the archive%n", Images.mib(bytes),
                Images.sizesByDirectory(rootfs.root), Images.mib(image.compressedSize()));
        for (String program : List.of("/bin/sh", "/usr/sbin/iptables", "/usr/sbin/ip6tables", "/usr/sbin/iptables-restore",
                "/usr/sbin/xtables-nft-multi", "/usr/sbin/xtables-legacy-multi")) {
            assertThat(rootfs.entries).as("the image has %s", program).containsKey(program);
            assertThat(rootfs.entries.get(program).mode).as("%s is executable", program).isEqualTo(0755);
        }
        assertThat(Files.readString(rootfs.root.resolve("usr/share/faultline/base-packages"))).contains("iptables ", "dash ");
        rootfs.entries.forEach((path, entry) -> assertThat(entry.mode & 06000).as("setuid/setgid bits of %s", path).isZero());
    }

    @Test
    void runsTheWebhooksIptablesScriptsWithOnlyNetAdminAndNetRaw() throws Exception {
        Images.assumeRunnable();
        List<String> cases = goldenCasesWithInitContainer();
        assertThat(cases).as("golden webhook cases with a transparent-mode init container").isNotEmpty();
        for (String name : cases) {
            JsonNode init = initContainer(name);
            List<String> command = new ArrayList<>();
            init.path("command").forEach(c -> command.add(c.asText()));
            assertThat(command.subList(0, 2)).containsExactly("sh", "-c");
            String script = command.get(2);
            // The webhook's script verbatim (it stops at the first failure: set -e), then the nat table it left.
            List<String> run = List.of("sh", "-c", script + "\necho ---rules---\niptables -t nat -S");
            try (Container container = Container.of(image, rootfs).command(run).ownNetwork().capabilities("+net_admin,+net_raw")
                    .log(Images.RUNS.resolve("init/" + name + ".log")).start()) {
                int exit = container.awaitExit(Duration.ofSeconds(120));
                String log = container.log();
                assertThat(exit).as("golden case %s:\n%s", name, log).isZero();
                String rules = log.substring(log.indexOf("---rules---"));
                for (String line : script.split("\n")) {
                    if (line.startsWith("iptables -t nat -A ")) {
                        String rule = line.substring("iptables -t nat ".length());
                        assertThat(normalized(rules)).as("golden case %s: rule in the nat table", name).contains(normalized(rule));
                    }
                }
            }
        }
    }

    /** iptables -S prints "-p tcp -m tcp --dport"; the script says "-p tcp --dport": compare without the implied match. */
    private static String normalized(String rules) {
        return rules.replace(" -m tcp", "").replaceAll("\\s+", " ");
    }

    private static List<String> goldenCasesWithInitContainer() throws IOException {
        List<String> cases = new ArrayList<>();
        try (var dirs = Files.list(GOLDEN)) {
            for (Path dir : (Iterable<Path>) dirs.sorted()::iterator) {
                if (Files.exists(dir.resolve("mutated.json")) && initContainer(dir.getFileName().toString()) != null) {
                    cases.add(dir.getFileName().toString());
                }
            }
        }
        return cases;
    }

    private static JsonNode initContainer(String name) throws IOException {
        JsonNode pod = ImageArchive.JSON.readTree(GOLDEN.resolve(name).resolve("mutated.json").toFile());
        for (JsonNode container : pod.path("spec").path("initContainers")) {
            if (container.path("name").asText().equals("faultline-init")) {
                assertThat(container.path("image").asText()).isEqualTo(Images.property("faultline.image.init"));
                return container;
            }
        }
        return null;
    }
}
