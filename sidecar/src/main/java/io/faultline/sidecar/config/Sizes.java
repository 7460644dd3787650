package io.faultline.sidecar.config;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes ({@code 64KiB}, {@code 10KB}, {@code 1000}) and rates ({@code 256KiB} per second, {@code 2Mbps}). */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|MB|GB|KiB|MiB|GiB|k|K|M|G|Ki|Mi|Gi)?");
    private static final Pattern BITS = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(bps|Kbps|kbps|Mbps|Gbps)");
    public static final String SIZE_ACCEPTED = "a size such as 1000, 64KiB, 1MiB, 10KB or 2GB";
    public static final String RATE_ACCEPTED =
            "a rate in bytes per second (256KiB, 1MB, 5000) or bits per second (384Kbps, 2Mbps, 1Gbps)";

    private Sizes() {
    }

    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not " + SIZE_ACCEPTED);
        }
        return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier(m.group(2)))).longValue();
    }

    /** Bytes per second. */
    public static long parseRate(String text) {
        String s = text == null ? "" : text.trim();
        Matcher bits = BITS.matcher(s);
        if (bits.matches()) {
            long perBit = switch (bits.group(2)) {
                case "bps" -> 1L;
                case "Kbps", "kbps" -> 1_000L;
                case "Mbps" -> 1_000_000L;
                default -> 1_000_000_000L;
            };
            return new BigDecimal(bits.group(1)).multiply(BigDecimal.valueOf(perBit)).longValue() / 8;
        }
        try {
            return parseSize(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + RATE_ACCEPTED);
        }
    }

    private static long multiplier(String unit) {
        if (unit == null || unit.equals("B")) {
            return 1;
        }
        return switch (unit) {
            case "KB", "k", "K" -> 1_000L;
            case "MB", "M" -> 1_000_000L;
            case "GB", "G" -> 1_000_000_000L;
            case "KiB", "Ki" -> 1L << 10;
            case "MiB", "Mi" -> 1L << 20;
            default -> 1L << 30;
        };
    }

    /** Exact, readable rendering: 64KiB, 1MiB, 1000. */
    public static String formatSize(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes != 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return Long.toString(bytes);
    }
}
