package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-connection deadline timer on the event loop's virtual clock. */
class DeadlineTimerTest {
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private int expired;
    private final DeadlineTimer timer;

    DeadlineTimerTest() {
        loop.freezeTime();
        timer = new DeadlineTimer(loop.eventLoop(), () -> expired++);
    }

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    private void advance(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
    }

    @Test
    void reArmingMovesTheDeadlineAndItExpiresOnce() {
        timer.arm(TimeUnit.MILLISECONDS.toNanos(100));
        advance(50);
        timer.arm(TimeUnit.MILLISECONDS.toNanos(100)); // deadline now at 150 ms
        advance(60); // the first task fires at 100 ms and waits on
        assertThat(expired).isZero();
        advance(39);
        assertThat(expired).isZero();
        advance(1);
        assertThat(expired).isEqualTo(1);
        assertThat(timer.armed()).isFalse();
        advance(1000);
        assertThat(expired).isEqualTo(1);
    }

    @Test
    void aDisarmedTimerNeverExpiresAndCanBeArmedAgain() {
        timer.arm(TimeUnit.MILLISECONDS.toNanos(100));
        timer.disarm();
        advance(500);
        assertThat(expired).isZero();
        timer.arm(TimeUnit.MILLISECONDS.toNanos(100));
        advance(99);
        assertThat(expired).isZero();
        advance(1);
        assertThat(expired).isEqualTo(1);
    }

    @Test
    void aShorterDelayThanTheScheduledTaskIsHonoured() {
        timer.arm(TimeUnit.MILLISECONDS.toNanos(1000));
        timer.arm(TimeUnit.MILLISECONDS.toNanos(10));
        advance(10);
        assertThat(expired).isEqualTo(1);
    }

    @Test
    void cancelLeavesNothingScheduled() {
        timer.arm(TimeUnit.MILLISECONDS.toNanos(100));
        timer.cancel();
        advance(1000);
        assertThat(expired).isZero();
        assertThat(timer.armed()).isFalse();
    }
}
