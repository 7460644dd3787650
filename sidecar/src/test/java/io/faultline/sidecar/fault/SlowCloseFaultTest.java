package io.faultline.sidecar.fault;

import static io.faultline.sidecar.fault.FaultHarness.isEnd;
import static io.faultline.sidecar.fault.FaultHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlowCloseFaultTest {

    @Test
    void dataFlowsButTheEndOfStreamWaitsTheDelay() {
        try (FaultHarness h = new FaultHarness(new SlowCloseFault(Duration.ofSeconds(1)))) {
            byte[] a = pattern(100, 1);
            h.send(a);
            assertThat(h.drainBytes()).isEqualTo(a);
            ChannelFuture end = h.sendEnd();
            h.advance(Duration.ofMillis(999));
            assertThat(h.drain()).isEmpty();
            assertThat(end.isDone()).isFalse();
            h.advance(Duration.ofMillis(1));
            List<Object> out = h.drain();
            assertThat(out).hasSize(1);
            assertThat(isEnd(out.get(0))).isTrue();
            assertThat(end.isSuccess()).isTrue();
            assertThat(h.injected).isEqualTo(1);
        }
    }

    @Test
    void closeWaitsTheDelay() {
        try (FaultHarness h = new FaultHarness(new SlowCloseFault(Duration.ofMillis(300)))) {
            // Through the pipeline, as the proxy closes a channel (EmbeddedChannel.close() cancels timers).
            ChannelFuture closed = h.channel.pipeline().close();
            h.advance(Duration.ofMillis(299));
            assertThat(h.channel.isActive()).isTrue();
            assertThat(closed.isDone()).isFalse();
            h.advance(Duration.ofMillis(1));
            assertThat(h.channel.isActive()).isFalse();
            assertThat(closed.isSuccess()).isTrue();
        }
    }

    @Test
    void aCloseAfterTheDelayedEndIsNotDelayedAgain() {
        try (FaultHarness h = new FaultHarness(new SlowCloseFault(Duration.ofMillis(300)))) {
            h.sendEnd();
            h.advance(Duration.ofMillis(300));
            assertThat(isEnd(h.drain().get(0))).isTrue();
            ChannelFuture closed = h.channel.pipeline().close();
            h.channel.runPendingTasks();
            assertThat(closed.isSuccess()).isTrue();
            assertThat(h.injected).isEqualTo(1);
        }
    }

    @Test
    void removalPassesAHeldEndOnAtOnce() {
        try (FaultHarness h = new FaultHarness(new SlowCloseFault(Duration.ofHours(1)))) {
            ChannelFuture end = h.sendEnd();
            h.removeFault();
            assertThat(isEnd(h.drain().get(0))).isTrue();
            assertThat(end.isSuccess()).isTrue();
        }
    }
}
