package io.faultline.sidecar.fault;

import static io.faultline.sidecar.fault.FaultHarness.isEnd;
import static io.faultline.sidecar.fault.FaultHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyFaultTest {
    private static LatencyFault fixed(long ms) {
        return new LatencyFault(Duration.ofMillis(ms), Duration.ZERO, LatencyDistribution.UNIFORM);
    }

    @Test
    void chunkLeavesExactlyAfterTheFixedDelay() {
        try (FaultHarness h = new FaultHarness(fixed(100))) {
            byte[] data = pattern(1000, 1);
            ChannelFuture written = h.send(data);
            assertThat(written.isSuccess()).as("within the bound the writer is not held back").isTrue();
            h.advance(Duration.ofMillis(99));
            assertThat(h.drain()).isEmpty();
            h.advance(Duration.ofMillis(1));
            assertThat(h.drainBytes()).isEqualTo(data);
            assertThat(h.injected).isEqualTo(1);
        }
    }

    @Test
    void endOfStreamFollowsTheLastDelayedChunk() {
        try (FaultHarness h = new FaultHarness(fixed(100))) {
            byte[] a = pattern(10, 1);
            byte[] b = pattern(20, 2);
            h.send(a);
            h.advance(Duration.ofMillis(10));
            h.send(b);
            ChannelFuture end = h.sendEnd();
            h.advance(Duration.ofMillis(90));
            assertThat(h.drain()).containsExactly(a);
            assertThat(end.isDone()).isFalse();
            h.advance(Duration.ofMillis(10));
            List<Object> out = h.drain();
            assertThat(out).hasSize(2);
            assertThat((byte[]) out.get(0)).isEqualTo(b);
            assertThat(isEnd(out.get(1))).isTrue();
            assertThat(end.isSuccess()).isTrue();
        }
    }

    @Test
    void jitterNeverReordersChunks() {
        LatencyFault spec = new LatencyFault(Duration.ofMillis(100), Duration.ofMillis(90), LatencyDistribution.UNIFORM);
        try (FaultHarness h = new FaultHarness(spec, 7)) {
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                byte[] chunk = pattern(1 + i % 13, i);
                sent.writeBytes(chunk);
                h.send(chunk);
                h.advance(Duration.ofMillis(1));
                received.writeBytes(h.drainBytes());
            }
            h.advance(Duration.ofMillis(200));
            received.writeBytes(h.drainBytes());
            assertThat(received.toByteArray()).isEqualTo(sent.toByteArray());
            assertThat(h.injected).isEqualTo(500);
        }
    }

    @Test
    void removalFlushesEverythingHeldInOrder() {
        try (FaultHarness h = new FaultHarness(fixed(10_000))) {
            byte[] a = pattern(100, 1);
            byte[] b = pattern(200, 2);
            h.send(a);
            h.send(b);
            ChannelFuture end = h.sendEnd();
            assertThat(h.drain()).isEmpty();
            h.removeFault();
            List<Object> out = h.drain();
            assertThat(out).hasSize(3);
            assertThat((byte[]) out.get(0)).isEqualTo(a);
            assertThat((byte[]) out.get(1)).isEqualTo(b);
            assertThat(isEnd(out.get(2))).isTrue();
            assertThat(end.isSuccess()).isTrue();
        }
    }

    @Test
    void writerIsHeldBackBeyondTheBound() {
        try (FaultHarness h = new FaultHarness(fixed(1000))) {
            ChannelFuture first = h.send(new byte[HoldingHandler.DEFAULT_MAX_HELD_BYTES]);
            assertThat(first.isSuccess()).isTrue();
            ChannelFuture beyond = h.send(new byte[1]);
            assertThat(beyond.isDone()).as("past the bound the promise stays pending").isFalse();
            h.advance(Duration.ofMillis(1000));
            assertThat(beyond.isSuccess()).isTrue();
            assertThat(h.drainBytes()).hasSize(HoldingHandler.DEFAULT_MAX_HELD_BYTES + 1);
        }
    }

    /** The relay may read again as soon as the fault is back within its bound, not when its own bytes leave. */
    @Test
    void heldBackWriterGoesOnOnceBackWithinTheBound() {
        try (FaultHarness h = new FaultHarness(fixed(1000))) {
            h.send(new byte[HoldingHandler.DEFAULT_MAX_HELD_BYTES]);
            h.advance(Duration.ofMillis(500));
            ChannelFuture beyond = h.send(new byte[1]);
            assertThat(beyond.isDone()).isFalse();
            h.advance(Duration.ofMillis(500));
            assertThat(h.drainBytes()).hasSize(HoldingHandler.DEFAULT_MAX_HELD_BYTES);
            assertThat(beyond.isSuccess()).as("1 byte held: within the bound").isTrue();
            h.advance(Duration.ofMillis(499));
            assertThat(h.drain()).as("its own delay still applies").isEmpty();
            h.advance(Duration.ofMillis(1));
            assertThat(h.drainBytes()).hasSize(1);
        }
    }

    @Test
    void closedChannelReleasesHeldBytesAndFailsPendingWrites() {
        FaultHarness h = new FaultHarness(fixed(1000));
        h.send(new byte[HoldingHandler.DEFAULT_MAX_HELD_BYTES]);
        ChannelFuture beyond = h.send(new byte[10]);
        h.channel.close();
        h.channel.runPendingTasks();
        assertThat(beyond.isDone()).isTrue();
        assertThat(beyond.isSuccess()).isFalse();
        assertThat(h.drain()).isEmpty();
        h.close();
    }
}
