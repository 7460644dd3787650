package io.faultline.sidecar.fault;

import static io.faultline.sidecar.fault.FaultHarness.isEnd;
import static io.faultline.sidecar.fault.FaultHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BandwidthFaultTest {

    @Test
    void bytesLeaveAtTheRateInSmallTimedSlices() {
        try (FaultHarness h = new FaultHarness(new BandwidthFault(1000))) {
            byte[] data = pattern(10_000, 3);
            assertThat(h.send(data).isSuccess()).isTrue();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int second = 1; second <= 10; second++) {
                h.advance(Duration.ofSeconds(1));
                out.writeBytes(h.drainBytes());
                // 1000 B/s cut in 64-byte slices: at most one slice behind the ideal line, never ahead.
                assertThat(out.size()).as("after %d s", second).isBetween(second * 1000 - 63, second * 1000);
            }
            assertThat(out.toByteArray()).isEqualTo(data);
            assertThat(h.injected).isEqualTo(1);
        }
    }

    @Test
    void lastByteLeavesExactlyWhenTheRateAllowsIt() {
        try (FaultHarness h = new FaultHarness(new BandwidthFault(1000))) {
            h.send(pattern(200, 1));
            ChannelFuture end = h.sendEnd();
            h.advance(Duration.ofMillis(199));
            assertThat(h.drainBytes()).as("slices end at 64, 128 and 192 ms").hasSize(192);
            assertThat(end.isDone()).isFalse();
            h.advance(Duration.ofMillis(1));
            List<Object> out = h.drain();
            assertThat((byte[]) out.get(0)).hasSize(8);
            assertThat(isEnd(out.get(1))).as("end of stream after the last byte").isTrue();
            assertThat(end.isSuccess()).isTrue();
        }
    }

    /** A sender that keeps the fault's buffer full for 10 virtual seconds at 1 MB/s: no drift. */
    @Test
    void sustainedRateHasNoDrift() {
        long rate = 1_000_000;
        try (FaultHarness h = new FaultHarness(new BandwidthFault(rate))) {
            long sent = 0;
            long received = 0;
            ChannelFuture last = null;
            for (int ms = 1; ms <= 10_000; ms++) {
                while (last == null || last.isDone()) {
                    last = h.send(pattern(65536, (int) sent));
                    sent += 65536;
                }
                h.advance(Duration.ofMillis(1));
                received += h.drainBytes().length;
                if (ms % 1000 == 0) {
                    long ideal = rate * ms / 1000;
                    // Slices are rate/100 = 10,000 bytes: within one slice of the ideal, i.e. 0.1 % at 10 s.
                    assertThat(received).as("after %d ms", ms).isBetween(ideal - 10_000, ideal);
                }
            }
            assertThat(sent - received).as("held at most about one second of traffic")
                    .isLessThanOrEqualTo(BandwidthFault.Handler.maxHeldBytesFor(rate) + 65536);
            h.removeFault();
            h.drain();
        }
    }

    @Test
    void idleTimeIsNotSavedUpAsABurst() {
        try (FaultHarness h = new FaultHarness(new BandwidthFault(1000))) {
            h.send(pattern(64, 1));
            h.advance(Duration.ofMillis(64));
            assertThat(h.drainBytes()).hasSize(64);
            h.advance(Duration.ofSeconds(10));
            h.send(pattern(64, 2));
            h.advance(Duration.ofMillis(63));
            assertThat(h.drain()).as("after 10 s idle, 64 bytes still take 64 ms").isEmpty();
            h.advance(Duration.ofMillis(1));
            assertThat(h.drainBytes()).hasSize(64);
        }
    }

    @Test
    void writerIsHeldBackBeyondAboutOneSecondOfTraffic() {
        try (FaultHarness h = new FaultHarness(new BandwidthFault(1000))) {
            long bound = BandwidthFault.Handler.maxHeldBytesFor(1000);
            assertThat(bound).isEqualTo(64 * 1024);
            assertThat(h.send(new byte[(int) bound]).isSuccess()).isTrue();
            ChannelFuture beyond = h.send(new byte[1]);
            assertThat(beyond.isDone()).isFalse();
            h.advance(Duration.ofMillis(63));
            assertThat(beyond.isDone()).as("nothing left yet, still above the bound").isFalse();
            h.advance(Duration.ofMillis(1));
            assertThat(beyond.isSuccess()).as("one slice out: back within the bound, the writer goes on").isTrue();
            h.removeFault();
            assertThat(h.drainBytes()).hasSize((int) bound + 1);
        }
    }

    @Test
    void rateZeroStallsUntilTheFaultIsRemoved() {
        try (FaultHarness h = new FaultHarness(new BandwidthFault(0))) {
            byte[] a = pattern(5000, 1);
            byte[] b = pattern(3000, 2);
            h.send(a);
            h.send(b);
            ChannelFuture end = h.sendEnd();
            h.advance(Duration.ofHours(1));
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
    void rateZeroHoldsBackTheWriterAtItsBound() {
        try (FaultHarness h = new FaultHarness(new BandwidthFault(0))) {
            assertThat(h.send(new byte[64 * 1024]).isSuccess()).isTrue();
            ChannelFuture beyond = h.send(new byte[1]);
            h.advance(Duration.ofHours(1));
            assertThat(beyond.isDone()).isFalse();
            h.removeFault();
            assertThat(beyond.isSuccess()).isTrue();
            assertThat(h.drainBytes()).hasSize(64 * 1024 + 1);
        }
    }

    @Test
    void removalMidwayFlushesTheRestByteExact() {
        try (FaultHarness h = new FaultHarness(new BandwidthFault(10_000))) {
            byte[] data = pattern(50_000, 9);
            h.send(data);
            h.advance(Duration.ofMillis(1234));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(h.drainBytes());
            assertThat(out.size()).isBetween(12_340 - 99, 12_340);
            h.removeFault();
            out.writeBytes(h.drainBytes());
            assertThat(out.toByteArray()).isEqualTo(data);
        }
    }
}
