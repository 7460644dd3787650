package io.faultline.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository, from the module's base directory (set by surefire, or the working directory). */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("faultline.repo.root", "..")).toAbsolutePath().normalize();
    static final Path CHART = ROOT.resolve("helm/faultline");
    static final Path GENERATED_CRDS = ROOT.resolve("crds/generated");
    static final Path INSTALL_MANIFEST = ROOT.resolve("deploy/faultline.yaml");
    static final Path CRD_REFERENCE = ROOT.resolve("docs/crd-reference.md");
    static final Path K8S_EXAMPLES = ROOT.resolve("src/examples/k8s");
    static final Path OPERATOR_SOURCES = ROOT.resolve("operator/src/main/java");

    /** -Dfaultline.update=true rewrites the committed generated files (install manifest, CRD reference, chart CRDs). */
    static final boolean UPDATE = Boolean.getBoolean("faultline.update");

    private Repo() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT.relativize(file), e);
        }
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + ROOT.relativize(file), e);
        }
    }
}
