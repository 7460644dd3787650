package io.faultline.sidecar.fault;

import static io.faultline.sidecar.fault.FaultHarness.isEnd;
import static io.faultline.sidecar.fault.FaultHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimitDataFaultTest {

    @Test
    void forwardsExactlyTheLimitThenCloses() {
        try (FaultHarness h = new FaultHarness(new LimitDataFault(10))) {
            byte[] a = pattern(4, 1);
            byte[] b = pattern(4, 2);
            byte[] c = pattern(5, 3);
            h.send(a);
            h.send(b);
            assertThat(h.channel.isActive()).isTrue();
            ChannelFuture last = h.send(c);
            assertThat(last.isSuccess()).isTrue();
            List<Object> out = h.drain();
            assertThat(out).hasSize(3);
            assertThat((byte[]) out.get(0)).isEqualTo(a);
            assertThat((byte[]) out.get(1)).isEqualTo(b);
            assertThat((byte[]) out.get(2)).isEqualTo(Arrays.copyOf(c, 2));
            assertThat(h.closes).isEqualTo(1);
            assertThat(h.injected).isEqualTo(1);
            assertThat(h.channel.isActive()).isFalse();
        }
    }

    @Test
    void aChunkEndingExactlyAtTheLimitPassesWholeAndCloses() {
        try (FaultHarness h = new FaultHarness(new LimitDataFault(8))) {
            byte[] a = pattern(8, 1);
            h.send(a);
            assertThat(h.drainBytes()).isEqualTo(a);
            assertThat(h.closes).isEqualTo(1);
        }
    }

    @Test
    void zeroClosesOnTheFirstChunkWithoutForwardingIt() {
        try (FaultHarness h = new FaultHarness(new LimitDataFault(0))) {
            h.send(pattern(100, 1));
            assertThat(h.drainBytes()).isEmpty();
            assertThat(h.closes).isEqualTo(1);
        }
    }

    @Test
    void endOfStreamBeforeTheLimitPassesInOrder() {
        try (FaultHarness h = new FaultHarness(new LimitDataFault(1000))) {
            byte[] a = pattern(10, 1);
            h.send(a);
            ChannelFuture end = h.sendEnd();
            List<Object> out = h.drain();
            assertThat((byte[]) out.get(0)).isEqualTo(a);
            assertThat(isEnd(out.get(1))).isTrue();
            assertThat(end.isSuccess()).isTrue();
            assertThat(h.closes).isZero();
        }
    }

    @Test
    void removedBeforeTheLimitLeavesTheStreamAlone() {
        try (FaultHarness h = new FaultHarness(new LimitDataFault(10))) {
            h.send(pattern(5, 1));
            h.removeFault();
            byte[] more = pattern(100, 2);
            h.send(more);
            assertThat(h.drainBytes()).hasSize(105);
            assertThat(h.closes).isZero();
        }
    }
}
