package io.faultline.sidecar.fault;

import static io.faultline.sidecar.fault.FaultHarness.isEnd;
import static io.faultline.sidecar.fault.FaultHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LossFaultTest {

    @Test
    void aLostChunkStallsAndEverythingBehindItWaits() {
        try (FaultHarness h = new FaultHarness(new LossFault(1.0, Duration.ofMillis(200)))) {
            byte[] a = pattern(10, 1);
            byte[] b = pattern(10, 2);
            h.send(a);
            h.advance(Duration.ofMillis(50));
            h.send(b);
            ChannelFuture end = h.sendEnd();
            h.advance(Duration.ofMillis(149));
            assertThat(h.drain()).isEmpty();
            h.advance(Duration.ofMillis(1));
            assertThat(h.drain()).containsExactly(a);
            // b was lost too: its stall starts when it would have left, behind a (at 200 ms).
            h.advance(Duration.ofMillis(199));
            assertThat(h.drain()).isEmpty();
            h.advance(Duration.ofMillis(1));
            List<Object> out = h.drain();
            assertThat((byte[]) out.get(0)).isEqualTo(b);
            assertThat(isEnd(out.get(1))).isTrue();
            assertThat(end.isSuccess()).isTrue();
            assertThat(h.injected).isEqualTo(2);
        }
    }

    @Test
    void probabilityZeroPassesEverythingAtOnce() {
        try (FaultHarness h = new FaultHarness(new LossFault(0.0, Duration.ofMillis(200)))) {
            byte[] a = pattern(1000, 1);
            h.send(a);
            assertThat(h.drainBytes()).isEqualTo(a);
            assertThat(h.injected).isZero();
        }
    }

    /** 10,000 chunks at p = 0.3: stalls ~ Binomial(10000, 0.3), sd 45.8; ±5 sd. No byte lost or reordered. */
    @Test
    void stallsFollowTheProbabilityAndTheStreamStaysIntact() {
        try (FaultHarness h = new FaultHarness(new LossFault(0.3, Duration.ofMillis(1)), 99)) {
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            for (int i = 0; i < 10_000; i++) {
                byte[] chunk = pattern(1 + i % 7, i);
                sent.writeBytes(chunk);
                h.send(chunk);
                if (i % 3 == 0) {
                    h.advance(Duration.ofMillis(1));
                }
                received.writeBytes(h.drainBytes());
            }
            h.advance(Duration.ofSeconds(10));
            received.writeBytes(h.drainBytes());
            assertThat(received.toByteArray()).isEqualTo(sent.toByteArray());
            assertThat(h.injected).isBetween(3000 - 229, 3000 + 229);
        }
    }

    @Test
    void removalFlushesStalledChunks() {
        try (FaultHarness h = new FaultHarness(new LossFault(1.0, Duration.ofSeconds(30)))) {
            byte[] a = pattern(100, 1);
            h.send(a);
            h.removeFault();
            assertThat(h.drainBytes()).isEqualTo(a);
        }
    }

    @Test
    void writerIsHeldBackBeyondTheBound() {
        try (FaultHarness h = new FaultHarness(new LossFault(1.0, Duration.ofSeconds(1)))) {
            assertThat(h.send(new byte[HoldingHandler.DEFAULT_MAX_HELD_BYTES]).isSuccess()).isTrue();
            ChannelFuture beyond = h.send(new byte[1]);
            assertThat(beyond.isDone()).isFalse();
            h.advance(Duration.ofSeconds(1));
            assertThat(beyond.isSuccess()).isTrue();
            h.removeFault();
            assertThat(h.drainBytes()).hasSize(HoldingHandler.DEFAULT_MAX_HELD_BYTES + 1);
        }
    }
}
