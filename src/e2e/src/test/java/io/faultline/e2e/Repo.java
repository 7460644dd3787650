package io.faultline.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Paths in the repository (the module's surefire run sets faultline.repo.root). */
public final class Repo {
    public static final Path ROOT = Path.of(System.getProperty("faultline.repo.root", "../..")).toAbsolutePath()
            .normalize();
    public static final Path INSTALL_MANIFEST = ROOT.resolve("deploy/faultline.yaml");
    public static final Path GENERATED_CRDS = ROOT.resolve("crds/generated");
    public static final Path CRD_EXAMPLES = ROOT.resolve("crds/examples");
    public static final Path CHART = ROOT.resolve("helm/faultline");
    public static final Path CHART_CRDS = CHART.resolve("crds");
    public static final Path K8S_EXAMPLES = ROOT.resolve("src/examples/k8s");

    private Repo() {
    }

    /** The YAML files of a folder, sorted by name. */
    public static List<Path> yamlFiles(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
