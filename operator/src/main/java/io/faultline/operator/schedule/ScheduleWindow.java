package io.faultline.operator.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

import io.faultline.crds.spec.Schedule;

/**
 * The active window of a session: [start, expiry). The start is {@code schedule.startAt}, or the session's creation
 * time, so it survives operator restarts without being stored. Without a duration there is no expiry.
 */
public final class ScheduleWindow {
    public enum Stage {
        PENDING, ACTIVE, EXPIRED
    }

    private final Instant start;
    private final Instant expiry; // null: never

    private ScheduleWindow(Instant start, Instant expiry) {
        this.start = start;
        this.expiry = expiry;
    }

    public static ScheduleWindow of(Schedule schedule, Instant createdAt) {
        Instant start = createdAt;
        Instant expiry = null;
        if (schedule != null) {
            if (schedule.startAt != null) {
                start = parseInstant(schedule.startAt);
            }
            if (schedule.duration != null) {
                Duration duration = KubeDurations.parse(schedule.duration);
                if (duration.isZero() || duration.isNegative()) {
                    throw new IllegalArgumentException("spec.schedule.duration must be positive, got " + schedule.duration);
                }
                expiry = start.plus(duration);
            }
        }
        return new ScheduleWindow(start, expiry);
    }

    public static Instant parseInstant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not an RFC 3339 instant, e.g. 2026-11-23T10:00:00Z");
        }
    }

    public Stage stageAt(Instant now) {
        if (now.isBefore(start)) {
            return Stage.PENDING;
        }
        if (expiry != null && !now.isBefore(expiry)) {
            return Stage.EXPIRED;
        }
        return Stage.ACTIVE;
    }

    /** The next instant the stage changes after {@code now}: the start while pending, the expiry while active. */
    public Optional<Instant> nextTransitionAfter(Instant now) {
        switch (stageAt(now)) {
            case PENDING:
                return Optional.of(start);
            case ACTIVE:
                return Optional.ofNullable(expiry);
            default:
                return Optional.empty();
        }
    }

    /** How long to wait from {@code now} until the next transition (at least 1 ms), if there is one. */
    public Optional<Duration> delayUntilNextTransition(Instant now) {
        return nextTransitionAfter(now).map(next -> {
            Duration delay = Duration.between(now, next);
            return delay.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : delay;
        });
    }

    public Instant start() {
        return start;
    }

    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiry);
    }
}
