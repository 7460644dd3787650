package io.faultline.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The benchmark's sidecar flags come from the image's Dockerfile, not from a copy. */
class SidecarJvmFlagsTest {
    @Test
    void imageFlagsAreTheDockerfilesJdkJavaOptions() {
        assertThat(SidecarJvmFlags.named("image"))
                .contains("-XX:+UseSerialGC", "-Xmx64m", "-XX:Tier4InvocationThreshold=50000")
                .allSatisfy(flag -> assertThat(flag).startsWith("-").doesNotContain(" "));
    }

    @Test
    void parsesTheEnvLineAndRefusesADockerfileWithoutOne() {
        assertThat(SidecarJvmFlags.fromDockerfile("FROM x\nENV JDK_JAVA_OPTIONS=\"-Xms16m  -Xmx64m\"\nENTRYPOINT [\"java\"]\n"))
                .containsExactly("-Xms16m", "-Xmx64m");
        assertThatThrownBy(() -> SidecarJvmFlags.fromDockerfile("FROM x\n")).hasMessageContaining("JDK_JAVA_OPTIONS");
        assertThatThrownBy(() -> SidecarJvmFlags.named("fast")).hasMessageContaining("image or plain");
    }
}
