package io.faultline.sidecar.fault;

import static io.faultline.sidecar.fault.FaultHarness.isEnd;
import static io.faultline.sidecar.fault.FaultHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DownFaultTest {

    @Test
    void acceptsAndDiscardsEverythingAndKeepsTheConnection() {
        try (FaultHarness h = new FaultHarness(new DownFault())) {
            for (int i = 0; i < 10; i++) {
                assertThat(h.send(pattern(1000, i)).isSuccess()).isTrue();
            }
            h.advance(Duration.ofHours(1));
            assertThat(h.drain()).isEmpty();
            assertThat(h.channel.isActive()).isTrue();
            assertThat(h.injected).isEqualTo(10);
        }
    }

    @Test
    void removalAfterDiscardingClosesTheConnection() {
        try (FaultHarness h = new FaultHarness(new DownFault())) {
            h.send(pattern(1000, 1));
            ChannelFuture end = h.sendEnd();
            assertThat(end.isDone()).isFalse();
            h.removeFault();
            assertThat(h.drain()).as("discarded by design, never flushed").isEmpty();
            assertThat(h.closes).isEqualTo(1);
            assertThat(end.isSuccess()).isFalse();
        }
    }

    @Test
    void removalWithNothingDiscardedPassesTheEndOn() {
        try (FaultHarness h = new FaultHarness(new DownFault())) {
            ChannelFuture end = h.sendEnd();
            assertThat(end.isDone()).isFalse();
            h.removeFault();
            List<Object> out = h.drain();
            assertThat(out).hasSize(1);
            assertThat(isEnd(out.get(0))).isTrue();
            assertThat(end.isSuccess()).isTrue();
            assertThat(h.closes).isZero();
        }
    }
}
