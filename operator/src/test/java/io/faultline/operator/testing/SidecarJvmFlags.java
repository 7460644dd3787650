package io.faultline.operator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM flags a sidecar process runs with in tests. {@code image} (the benchmark's default) reads them from the
 * {@code sidecar.jvm.flags} property of images/pom.xml, the image's {@code JDK_JAVA_OPTIONS}, so a benchmark measures
 * the sidecar as the product runs it and cannot drift from the image; {@code plain} is the bare {@code -Xmx64m} the
 * end-to-end tests have always used.
 */
public final class SidecarJvmFlags {
    public static final List<String> PLAIN = List.of("-Xmx64m");
    private static final Pattern IMAGE_OPTIONS = Pattern.compile("<sidecar\\.jvm\\.flags>([^<]+)</sidecar\\.jvm\\.flags>");

    private SidecarJvmFlags() {
    }

    /** {@code image} or {@code plain}; anything else is refused. */
    public static List<String> named(String name) {
        switch (name) {
            case "image":
                return image(Path.of(System.getProperty("images.pom", "../images/pom.xml")));
            case "plain":
                return PLAIN;
            default:
                throw new IllegalArgumentException("unknown sidecar flag set '" + name + "': use image or plain");
        }
    }

    /** The flags of the images build's {@code sidecar.jvm.flags} property. */
    public static List<String> image(Path imagesPom) {
        try {
            return fromImagesPom(Files.readString(imagesPom));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + imagesPom.toAbsolutePath(), e);
        }
    }

    static List<String> fromImagesPom(String text) {
        Matcher matcher = IMAGE_OPTIONS.matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException("no <sidecar.jvm.flags> property in images/pom.xml");
        }
        return Arrays.stream(matcher.group(1).trim().split("\\s+")).toList();
    }
}
