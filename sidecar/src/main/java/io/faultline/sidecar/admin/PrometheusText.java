package io.faultline.sidecar.admin;

import io.faultline.sidecar.recording.Histogram;

/** Prometheus text exposition format 0.0.4: HELP and TYPE once per family, escaped label values. */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(1024);

    PrometheusText family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample; {@code labels} alternate name and value. */
    PrometheusText sample(String name, long value, String... labels) {
        return sample(name, Long.toString(value), labels);
    }

    PrometheusText sample(String name, double value, String... labels) {
        return sample(name, formatDouble(value), labels);
    }

    /**
     * The samples of one histogram (its family declared with type histogram): a cumulative
     * {@code _bucket} per bound with label {@code le}, ending with {@code le="+Inf"}, then {@code _sum} and {@code _count}.
     */
    PrometheusText histogram(String name, Histogram.Snapshot h, String... labels) {
        String[] withLe = java.util.Arrays.copyOf(labels, labels.length + 2);
        withLe[labels.length] = "le";
        for (int i = 0; i < h.cumulative().length; i++) {
            withLe[labels.length + 1] = i < Histogram.BOUNDS_SECONDS.length
                    ? formatDouble(Histogram.BOUNDS_SECONDS[i]) : "+Inf";
            sample(name + "_bucket", h.cumulative()[i], withLe);
        }
        sample(name + "_sum", h.sumSeconds(), labels);
        return sample(name + "_count", h.count(), labels);
    }

    /** Plain decimal notation (0.0005, 2.5, 10), as the Prometheus Go client prints bucket bounds. */
    static String formatDouble(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private PrometheusText sample(String name, String value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"").append(escapeLabelValue(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(value).append('\n');
        return this;
    }

    /** In label values a backslash, a double quote and a line feed must be escaped. */
    static String escapeLabelValue(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** In HELP text only a backslash and a line feed are escaped. */
    static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
