package io.faultline.sidecar.fault;

import static io.faultline.sidecar.fault.FaultHarness.isEnd;
import static io.faultline.sidecar.fault.FaultHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlicerFaultTest {

    @Test
    void slicesOfTheAverageSizeLeaveOneDelayApart() {
        try (FaultHarness h = new FaultHarness(new SlicerFault(10, 0, Duration.ofMillis(1)))) {
            byte[] data = pattern(35, 1);
            h.send(data);
            assertThat(h.drain()).as("first slice at once").containsExactly(java.util.Arrays.copyOfRange(data, 0, 10));
            h.advance(Duration.ofMillis(1));
            assertThat(h.drainBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 10, 20));
            h.advance(Duration.ofMillis(1));
            assertThat(h.drainBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 20, 30));
            h.advance(Duration.ofMillis(1));
            assertThat(h.drainBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 30, 35));
            assertThat(h.injected).isEqualTo(1);
        }
    }

    @Test
    void slicesVaryWithinTheVariationAndKeepEveryByte() {
        try (FaultHarness h = new FaultHarness(new SlicerFault(100, 30, Duration.ZERO), 5)) {
            byte[] data = pattern(100_000, 2);
            h.send(data);
            List<Object> slices = h.drain();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            long total = 0;
            for (int i = 0; i < slices.size(); i++) {
                byte[] slice = (byte[]) slices.get(i);
                if (i < slices.size() - 1) {
                    assertThat(slice.length).isBetween(70, 130);
                }
                total += slice.length;
                all.writeBytes(slice);
            }
            assertThat(all.toByteArray()).isEqualTo(data);
            // ~1000 slices of 70..130 bytes (uniform, sd 17.9): mean within 5 standard errors (2.8 bytes).
            double mean = total / (double) slices.size();
            assertThat(mean).isBetween(97.2, 102.8);
            assertThat(slices.size()).isGreaterThan(700);
        }
    }

    @Test
    void delayRunsAcrossChunksAndEndOfStreamComesLast() {
        try (FaultHarness h = new FaultHarness(new SlicerFault(10, 0, Duration.ofMillis(5)))) {
            byte[] a = pattern(20, 1);
            byte[] b = pattern(15, 2);
            h.send(a);
            h.send(b);
            ChannelFuture end = h.sendEnd();
            // Slices leave at 0, 5, 10 and 15 ms: a[0..10), a[10..20), b[0..10), b[10..15).
            assertThat(h.drainBytes()).hasSize(10);
            h.advance(Duration.ofMillis(5));
            assertThat(h.drainBytes()).isEqualTo(java.util.Arrays.copyOfRange(a, 10, 20));
            h.advance(Duration.ofMillis(4));
            assertThat(h.drain()).isEmpty();
            h.advance(Duration.ofMillis(1));
            assertThat(h.drainBytes()).isEqualTo(java.util.Arrays.copyOfRange(b, 0, 10));
            assertThat(end.isDone()).isFalse();
            h.advance(Duration.ofMillis(5));
            List<Object> out = h.drain();
            assertThat((byte[]) out.get(0)).isEqualTo(java.util.Arrays.copyOfRange(b, 10, 15));
            assertThat(isEnd(out.get(1))).isTrue();
            assertThat(end.isSuccess()).isTrue();
        }
    }

    @Test
    void smallChunksPassWhole() {
        try (FaultHarness h = new FaultHarness(new SlicerFault(100, 10, Duration.ofMillis(1)))) {
            byte[] data = pattern(50, 1);
            h.send(data);
            assertThat(h.drain()).containsExactly(data);
            assertThat(h.injected).isZero();
        }
    }

    @Test
    void removalFlushesTheRemainingSlicesInOrder() {
        try (FaultHarness h = new FaultHarness(new SlicerFault(10, 0, Duration.ofSeconds(1)))) {
            byte[] data = pattern(1000, 4);
            h.send(data);
            h.advance(Duration.ofSeconds(3));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(h.drainBytes());
            assertThat(out.size()).isEqualTo(40);
            h.removeFault();
            out.writeBytes(h.drainBytes());
            assertThat(out.toByteArray()).isEqualTo(data);
        }
    }

    @Test
    void writerIsHeldBackBeyondTheBound() {
        try (FaultHarness h = new FaultHarness(new SlicerFault(64 * 1024, 0, Duration.ofSeconds(1)))) {
            h.send(new byte[64 * 1024]);
            assertThat(h.drainBytes()).as("the first slice leaves at once").hasSize(64 * 1024);
            // The next 16 slices wait 1 s, 2 s, ... 16 s: exactly the bound.
            assertThat(h.send(new byte[HoldingHandler.DEFAULT_MAX_HELD_BYTES]).isSuccess()).isTrue();
            ChannelFuture beyond = h.send(new byte[1]);
            assertThat(beyond.isDone()).isFalse();
            h.advance(Duration.ofSeconds(1));
            assertThat(beyond.isSuccess()).as("one 64 KiB slice out: back within the bound").isTrue();
            h.removeFault();
            assertThat(h.drainBytes()).hasSize(HoldingHandler.DEFAULT_MAX_HELD_BYTES + 1);
        }
    }
}
