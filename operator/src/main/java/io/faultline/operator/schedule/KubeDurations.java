package io.faultline.operator.schedule;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Kubernetes/Go style durations: {@code 250ms}, {@code 1.5s}, {@code 15m}, {@code 1h30m}, {@code 100us}, {@code 0}. */
public final class KubeDurations {
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|ms|s|m|h)");

    private KubeDurations() {
    }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration is required, e.g. 250ms, 1.5s, 15m or 1h30m");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int position = 0;
        while (matcher.find() && matcher.start() == position) {
            nanos = nanos.add(new BigDecimal(matcher.group(1)).multiply(nanosPer(matcher.group(2))));
            position = matcher.end();
        }
        if (position != text.length() || position == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; use e.g. 250ms, 1.5s, 15m or 1h30m"
                    + " (units ns, us, ms, s, m, h)");
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    private static BigDecimal nanosPer(String unit) {
        switch (unit) {
            case "ns":
                return BigDecimal.ONE;
            case "us":
                return BigDecimal.valueOf(1_000L);
            case "ms":
                return BigDecimal.valueOf(1_000_000L);
            case "s":
                return BigDecimal.valueOf(1_000_000_000L);
            case "m":
                return BigDecimal.valueOf(60_000_000_000L);
            case "h":
                return BigDecimal.valueOf(3_600_000_000_000L);
            default:
                throw new IllegalArgumentException("unknown duration unit " + unit);
        }
    }
}
