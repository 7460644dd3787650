package io.faultline.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Assumptions;

/** Where the build put the archives, what the build says they must contain, and a per-test-class scratch place. */
final class Images {
    static final Path REPO = Path.of(System.getProperty("faultline.repo.root", "..")).toAbsolutePath().normalize();
    static final Path ARCHIVES = Path.of(System.getProperty("faultline.images", "target/images")).toAbsolutePath();
    static final Path RUNS = ARCHIVES.getParent().resolve("image-runs");

    private Images() {
    }

    static String property(String name) {
        String value = System.getProperty(name);
        assertThat(value).as("system property %s (set by images/pom.xml)", name).isNotBlank();
        return value;
    }

    static ImageArchive archive(String name) throws IOException {
        Path file = ARCHIVES.resolve(name + ".tar");
        assertThat(file).as("the build's archive of %s (mvn -Pimages package)", name).isRegularFile();
        return ImageArchive.read(file);
    }

    /** Unpacks an archive into a fresh root filesystem under target/image-runs/NAME/rootfs. */
    static ImageArchive.Unpacked unpack(ImageArchive image, String name) throws IOException {
        Path root = RUNS.resolve(name).resolve("rootfs");
        deleteTree(root);
        return image.unpack(root);
    }

    /** Skips the calling test class, with the reason on the console, where images cannot be run. */
    static void assumeRunnable() {
        Container.unavailable().ifPresent(reason -> {
            System.out.println("SKIPPED (images not run): " + reason);
            Assumptions.abort(reason);
        });
    }

    static long treeSize(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /** Sizes by top-level directory (MiB), for the report. */
    static Map<String, String> sizesByDirectory(Path root) throws IOException {
        Map<String, String> sizes = new TreeMap<>();
        try (var dirs = Files.list(root)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                long bytes = Files.isDirectory(dir) ? treeSize(dir) : dir.toFile().length();
                if (bytes > 0) {
                    sizes.put("/" + dir.getFileName(), mib(bytes));
                }
            }
        }
        return sizes;
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted((a, b) -> b.getNameCount() - a.getNameCount())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
