package io.faultline.e2e;

import java.nio.file.Path;

/** Paths in the repository (the module's surefire run sets faultline.repo.root). */
public final class Repo {
    public static final Path ROOT = Path.of(System.getProperty("faultline.repo.root", "../..")).toAbsolutePath()
            .normalize();
    public static final Path INSTALL_MANIFEST = ROOT.resolve("deploy/faultline.yaml");
    public static final Path GENERATED_CRDS = ROOT.resolve("crds/generated");
    public static final Path CHART = ROOT.resolve("helm/faultline");
    public static final Path K8S_EXAMPLES = ROOT.resolve("src/examples/k8s");
    public static final Path CRD_EXAMPLES = ROOT.resolve("crds/examples");

    private Repo() {
    }
}
