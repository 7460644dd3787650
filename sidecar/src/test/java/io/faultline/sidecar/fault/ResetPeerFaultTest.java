package io.faultline.sidecar.fault;

import static io.faultline.sidecar.fault.FaultHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResetPeerFaultTest {

    @Test
    void theClockStartsAtTheFirstChunkAndDataFlowsUntilTheReset() {
        try (FaultHarness h = new FaultHarness(new ResetPeerFault(Duration.ofMillis(500)))) {
            h.advance(Duration.ofSeconds(10)); // installed, silent: no clock yet (Toxiproxy's reset_peer)
            assertThat(h.resets).isZero();
            byte[] a = pattern(100, 1);
            h.send(a);
            assertThat(h.drainBytes()).isEqualTo(a);
            h.advance(Duration.ofMillis(499));
            byte[] b = pattern(50, 2);
            h.send(b); // a later chunk does not restart the clock
            assertThat(h.drainBytes()).isEqualTo(b);
            assertThat(h.resets).isZero();
            h.advance(Duration.ofMillis(1));
            assertThat(h.resets).isEqualTo(1);
            assertThat(h.injected).isEqualTo(1);
            assertThat(h.closes).as("a reset, not a plain close").isZero();
        }
    }

    @Test
    void zeroResetsAtTheFirstChunk() {
        FaultHarness h = new FaultHarness(new ResetPeerFault(Duration.ZERO));
        h.channel.runPendingTasks();
        assertThat(h.resets).as("nothing sent yet").isZero();
        h.send(pattern(10, 1));
        h.channel.runPendingTasks();
        assertThat(h.resets).isEqualTo(1);
        h.close();
    }

    @Test
    void removalCancelsTheReset() {
        try (FaultHarness h = new FaultHarness(new ResetPeerFault(Duration.ofSeconds(1)))) {
            h.send(pattern(10, 1));
            h.drainBytes();
            h.removeFault();
            h.advance(Duration.ofSeconds(5));
            assertThat(h.resets).isZero();
            assertThat(h.channel.isActive()).isTrue();
        }
    }
}
