package io.faultline.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The benchmark's sidecar flags come from the image build (images/pom.xml), not from a copy. */
class SidecarJvmFlagsTest {
    @Test
    void imageFlagsAreTheImageBuildsJdkJavaOptions() {
        assertThat(SidecarJvmFlags.named("image"))
                .contains("-XX:+UseSerialGC", "-Xmx64m", "-XX:Tier4InvocationThreshold=50000")
                .allSatisfy(flag -> assertThat(flag).startsWith("-").doesNotContain(" "));
    }

    @Test
    void parsesThePropertyAndRefusesAPomWithoutIt() {
        assertThat(SidecarJvmFlags.fromImagesPom("<properties>\n<sidecar.jvm.flags> -Xms16m  -Xmx64m </sidecar.jvm.flags>\n</properties>"))
                .containsExactly("-Xms16m", "-Xmx64m");
        assertThatThrownBy(() -> SidecarJvmFlags.fromImagesPom("<properties/>")).hasMessageContaining("sidecar.jvm.flags");
        assertThatThrownBy(() -> SidecarJvmFlags.named("fast")).hasMessageContaining("image or plain");
    }
}
