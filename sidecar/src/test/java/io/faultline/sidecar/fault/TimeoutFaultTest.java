package io.faultline.sidecar.fault;

import static io.faultline.sidecar.fault.FaultHarness.isEnd;
import static io.faultline.sidecar.fault.FaultHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeoutFaultTest {

    @Test
    void discardsEverythingAndClosesAfterTheTimeout() {
        try (FaultHarness h = new FaultHarness(new TimeoutFault(Duration.ofSeconds(1)))) {
            ChannelFuture w = h.send(pattern(1000, 1));
            assertThat(w.isSuccess()).as("the sender is not held back: it writes into the void").isTrue();
            h.advance(Duration.ofMillis(999));
            assertThat(h.drain()).isEmpty();
            assertThat(h.closes).isZero();
            h.advance(Duration.ofMillis(1));
            assertThat(h.closes).isEqualTo(1);
            assertThat(h.channel.isActive()).isFalse();
            assertThat(h.injected).as("one discarded chunk and the close").isEqualTo(2);
        }
    }

    @Test
    void everyDiscardedChunkStartsTheClockOverAsInToxiproxy() {
        try (FaultHarness h = new FaultHarness(new TimeoutFault(Duration.ofSeconds(1)))) {
            h.advance(Duration.ofMillis(800));
            h.send(pattern(10, 1));
            h.advance(Duration.ofMillis(800)); // 1.6 s since the install, 0.8 s of silence
            h.send(pattern(10, 2));
            h.advance(Duration.ofMillis(999));
            assertThat(h.closes).isZero();
            assertThat(h.channel.isActive()).isTrue();
            h.advance(Duration.ofMillis(1));
            assertThat(h.closes).isEqualTo(1);
            assertThat(h.drain()).isEmpty();
        }
    }

    @Test
    void aSilentStreamIsClosedAfterTheTimeoutCountedFromTheInstall() {
        try (FaultHarness h = new FaultHarness(new TimeoutFault(Duration.ofSeconds(1)))) {
            h.advance(Duration.ofMillis(999));
            assertThat(h.closes).isZero();
            h.advance(Duration.ofMillis(1));
            assertThat(h.closes).isEqualTo(1);
            assertThat(h.injected).as("the close").isEqualTo(1);
        }
    }

    @Test
    void zeroNeverCloses() {
        try (FaultHarness h = new FaultHarness(new TimeoutFault(Duration.ZERO))) {
            h.send(pattern(1000, 1));
            h.advance(Duration.ofHours(24));
            assertThat(h.drain()).isEmpty();
            assertThat(h.closes).isZero();
            assertThat(h.channel.isActive()).isTrue();
        }
    }

    @Test
    void removalAfterDiscardingClosesTheConnectionBecauseTheStreamHasAHole() {
        try (FaultHarness h = new FaultHarness(new TimeoutFault(Duration.ofSeconds(10)))) {
            h.send(pattern(1000, 1));
            ChannelFuture end = h.sendEnd();
            assertThat(end.isDone()).isFalse();
            h.advance(Duration.ofSeconds(5));
            h.removeFault();
            assertThat(h.drain()).as("discarded bytes are gone by design").isEmpty();
            assertThat(h.closes).isEqualTo(1);
            assertThat(end.isSuccess()).isFalse();
            h.advance(Duration.ofSeconds(10));
            assertThat(h.closes).as("the close timer went with the fault").isEqualTo(1);
        }
    }

    @Test
    void removalBeforeAnythingWasDiscardedLeavesTheStreamIntact() {
        try (FaultHarness h = new FaultHarness(new TimeoutFault(Duration.ofSeconds(10)))) {
            ChannelFuture end = h.sendEnd();
            h.removeFault();
            List<Object> out = h.drain();
            assertThat(out).hasSize(1);
            assertThat(isEnd(out.get(0))).as("the kept-back end goes on").isTrue();
            assertThat(end.isSuccess()).isTrue();
            assertThat(h.closes).isZero();
        }
    }

    @Test
    void removedUnusedFaultLetsLaterBytesThrough() {
        try (FaultHarness h = new FaultHarness(new TimeoutFault(Duration.ofSeconds(10)))) {
            h.removeFault();
            byte[] later = pattern(20, 2);
            h.send(later);
            assertThat(h.drainBytes()).isEqualTo(later);
            h.advance(Duration.ofSeconds(20));
            assertThat(h.closes).isZero();
        }
    }

    @Test
    void closingFailsAKeptBackEnd() {
        FaultHarness h = new FaultHarness(new TimeoutFault(Duration.ofSeconds(1)));
        ChannelFuture end = h.sendEnd();
        h.advance(Duration.ofSeconds(1));
        assertThat(end.isDone()).isTrue();
        assertThat(end.isSuccess()).isFalse();
        h.close();
    }
}
