package io.faultline.operator.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.faultline.crds.spec.Schedule;
import io.faultline.operator.schedule.ScheduleWindow.Stage;

class ScheduleWindowTest {
    private static final Instant CREATED = Instant.parse("2026-11-23T09:00:00Z");
    private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void pendingUntilStartThenActiveUntilExpiryThenExpired() {
        ScheduleWindow window = ScheduleWindow.of(new Schedule("2026-11-23T10:00:00Z", "15m"), CREATED);

        assertThat(window.stageAt(START.minusMillis(1))).isEqualTo(Stage.PENDING);
        assertThat(window.stageAt(START)).isEqualTo(Stage.ACTIVE);
        assertThat(window.stageAt(START.plus(Duration.ofMinutes(15)).minusMillis(1))).isEqualTo(Stage.ACTIVE);
        assertThat(window.stageAt(START.plus(Duration.ofMinutes(15)))).isEqualTo(Stage.EXPIRED);
        assertThat(window.expiry()).contains(Instant.parse("2026-11-23T10:15:00Z"));
    }

    @Test
    void requeuesExactlyAtStartAndAtExpiry() {
        ScheduleWindow window = ScheduleWindow.of(new Schedule("2026-11-23T10:00:00Z", "1h30m"), CREATED);

        assertThat(window.delayUntilNextTransition(START.minusSeconds(90))).contains(Duration.ofSeconds(90));
        assertThat(window.delayUntilNextTransition(START.plusSeconds(60))).contains(Duration.ofMinutes(89));
        assertThat(window.delayUntilNextTransition(START.plus(Duration.ofHours(2)))).isEmpty();
    }

    @Test
    void withoutStartAtTheWindowStartsAtCreationAndWithoutDurationNeverExpires() {
        ScheduleWindow window = ScheduleWindow.of(new Schedule(null, "1.5s"), CREATED);
        assertThat(window.start()).isEqualTo(CREATED);
        assertThat(window.expiry()).contains(CREATED.plusMillis(1500));

        ScheduleWindow forever = ScheduleWindow.of(null, CREATED);
        assertThat(forever.stageAt(CREATED.plus(Duration.ofDays(365)))).isEqualTo(Stage.ACTIVE);
        assertThat(forever.delayUntilNextTransition(CREATED.plusSeconds(1))).isEmpty();
    }

    @Test
    void aTransitionDueNowIsRequeuedAfterOneMillisecondNotNever() {
        ScheduleWindow window = ScheduleWindow.of(new Schedule("2026-11-23T10:00:00Z", "1m"), CREATED);
        assertThat(window.delayUntilNextTransition(START.minusNanos(10))).contains(Duration.ofMillis(1));
    }

    @Test
    void rejectsBadInputWithAClearMessage() {
        assertThatThrownBy(() -> ScheduleWindow.of(new Schedule("tomorrow", null), CREATED))
                .hasMessageContaining("'tomorrow' is not an RFC 3339 instant");
        assertThatThrownBy(() -> ScheduleWindow.of(new Schedule(null, "0"), CREATED)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> ScheduleWindow.of(new Schedule(null, "15 minutes"), CREATED))
                .hasMessageContaining("'15 minutes' is not a duration");
    }

    @Test
    void parsesGoStyleDurations() {
        assertThat(KubeDurations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(KubeDurations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(KubeDurations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(KubeDurations.parse("100us")).isEqualTo(Duration.ofNanos(100_000));
        assertThat(KubeDurations.parse("0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> KubeDurations.parse("5")).hasMessageContaining("units ns, us, ms, s, m, h");
        assertThatThrownBy(() -> KubeDurations.parse("5mss")).isInstanceOf(IllegalArgumentException.class);
    }
}
