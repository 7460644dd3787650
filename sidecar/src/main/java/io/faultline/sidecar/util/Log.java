package io.faultline.sidecar.util;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One line per lifecycle event (never per packet), as {@code TIME LEVEL event key=value ...}
 * or, with {@code --log-format json}, one JSON object per line.
 */
public final class Log {
    public enum Format { TEXT, JSON }

    private static volatile Format format = Format.TEXT;
    private static volatile PrintStream out = System.out;

    private Log() {
    }

    public static void configure(Format f) {
        format = f;
    }

    public static void info(String event, Object... keyValues) {
        write("INFO", event, keyValues);
    }

    public static void warn(String event, Object... keyValues) {
        write("WARN", event, keyValues);
    }

    public static void error(String event, Object... keyValues) {
        write("ERROR", event, keyValues);
    }

    private static void write(String level, String event, Object... kv) {
        String ts = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        StringBuilder sb = new StringBuilder(128);
        if (format == Format.JSON) {
            sb.append("{\"ts\":\"").append(ts).append("\",\"level\":\"").append(level)
                    .append("\",\"event\":");
            Json.quote(sb, event);
            for (int i = 0; i + 1 < kv.length; i += 2) {
                sb.append(',');
                Json.quote(sb, String.valueOf(kv[i]));
                sb.append(':');
                Object v = kv[i + 1];
                if (v instanceof Number || v instanceof Boolean) {
                    sb.append(v);
                } else {
                    Json.quote(sb, String.valueOf(v));
                }
            }
            sb.append('}');
        } else {
            sb.append(ts).append(' ').append(level).append(' ').append(event);
            for (int i = 0; i + 1 < kv.length; i += 2) {
                String v = String.valueOf(kv[i + 1]);
                sb.append(' ').append(kv[i]).append('=');
                if (v.isEmpty() || v.indexOf(' ') >= 0 || v.indexOf('"') >= 0) {
                    Json.quote(sb, v);
                } else {
                    sb.append(v);
                }
            }
        }
        PrintStream o = out;
        synchronized (o) {
            o.println(sb);
            o.flush();
        }
    }

    /** Minimal JSON string quoting, enough for log lines. */
    static final class Json {
        private Json() {
        }

        static void quote(StringBuilder sb, String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }
}
