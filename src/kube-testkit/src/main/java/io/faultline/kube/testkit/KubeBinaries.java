package io.faultline.kube.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

import io.javaoperatorsdk.jenvtest.Utils;
import io.javaoperatorsdk.jenvtest.binary.OSInfo;

/**
 * Where the control-plane binaries live: jenvtest's layout {@code <home>/k8s/<version>-<os>-<arch>/} with
 * kube-apiserver, etcd, kubectl (and, laid out by {@code ../shared/k8s/install}, kube-controller-manager).
 *
 * <p>{@code home} is {@code $JENVTEST_DIR} or {@code ~/.jenvtest}; the version is {@code -Dfaultline.kube.version},
 * {@code $JENVTEST_KUBE_API_SERVER_VERSION} or {@value #DEFAULT_VERSION}. When the directory is present the server
 * starts offline; when it is absent jenvtest downloads the same version into it.
 */
public final class KubeBinaries {
    /** The Kubernetes version the tier is built and tested on. */
    public static final String DEFAULT_VERSION = "1.36.2";

    private final Path home;
    private final String version;

    private KubeBinaries(Path home, String version) {
        this.home = home;
        this.version = version;
    }

    public static KubeBinaries locate() {
        String dir = System.getenv("JENVTEST_DIR");
        Path home = dir != null && !dir.isBlank() ? Path.of(dir)
                : Path.of(System.getProperty("user.home"), ".jenvtest");
        String version = System.getProperty("faultline.kube.version");
        if (version == null || version.isBlank()) {
            version = System.getenv("JENVTEST_KUBE_API_SERVER_VERSION");
        }
        if (version == null || version.isBlank()) {
            version = DEFAULT_VERSION;
        }
        return new KubeBinaries(home.toAbsolutePath(), version);
    }

    public String version() {
        return version;
    }

    /** jenvtest's binary folder ({@code <home>/k8s}), shared by every run. */
    public Path binaryRoot() {
        return home.resolve("k8s");
    }

    public Path versionDir() {
        return binaryRoot().resolve(version + Utils.platformSuffix(new OSInfo()));
    }

    /** True when kube-apiserver, etcd and kubectl are laid out for this version (jenvtest can start offline). */
    public boolean installed() {
        return Files.isExecutable(versionDir().resolve("kube-apiserver"))
                && Files.isExecutable(versionDir().resolve("etcd"))
                && Files.exists(versionDir().resolve("kubectl"));
    }

    public Path kubeControllerManager() {
        return versionDir().resolve("kube-controller-manager");
    }

    /** kubectl on PATH (the user's), else the one in the binary folder. */
    public Path kubectl() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(entry, "kubectl");
                if (!entry.isEmpty() && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return versionDir().resolve("kubectl");
    }

    /** Why the binaries cannot be used, for a skipped test's printed reason. */
    public String absenceReason() {
        return "no Kubernetes " + version + " control-plane binaries under " + versionDir()
                + " (run ../shared/k8s/install, or let jenvtest download them: it needs network access)";
    }
}
