package io.faultline.sidecar.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HistogramTest {
    @Test
    void bucketsAreCumulativeWithBoundsInclusive() {
        Histogram h = new Histogram();
        h.observeNanos(500_000);        // exactly 0.0005 s: first bucket (le is inclusive)
        h.observeNanos(500_001);        // just above: le=0.001
        h.observeNanos(3_000_000_000L); // 3 s: le=5
        h.observeNanos(60_000_000_000L); // beyond 30 s: only +Inf
        h.observeNanos(-5);             // clock oddities count as 0
        Histogram.Snapshot s = h.snapshot();
        long[] c = s.cumulative();
        assertThat(c).hasSize(Histogram.BOUNDS_SECONDS.length + 1);
        assertThat(c[0]).isEqualTo(2);
        assertThat(c[1]).isEqualTo(3);
        assertThat(c[11]).as("le=2.5").isEqualTo(3);
        assertThat(c[12]).as("le=5").isEqualTo(4);
        assertThat(c[14]).as("le=30").isEqualTo(4);
        assertThat(s.count()).isEqualTo(5);
        for (int i = 1; i < c.length; i++) {
            assertThat(c[i]).isGreaterThanOrEqualTo(c[i - 1]);
        }
        assertThat(s.sumSeconds()).isCloseTo(63.001000001, within(1e-9));
    }
}
