package io.faultline.operator.compiler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.faultline.crds.common.Formats;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.operator.schedule.KubeDurations;

/** Semantic checks of a QoSProfile spec; an empty list means sessions can apply it. */
public final class QosProfileValidator {
    private static final Pattern RATE = Pattern.compile(Formats.RATE);

    private QosProfileValidator() {
    }

    public static List<String> validate(QoSProfileSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec == null || (spec.latency == null && spec.bandwidth == null && spec.loss == null && spec.connectionLimit == null)) {
            problems.add("a QoSProfile must set at least one of latency, bandwidth, loss or connectionLimit");
            return problems;
        }
        if (spec.latency != null) {
            Duration mean = duration("spec.latency.mean", spec.latency.mean, problems);
            Duration jitter = spec.latency.jitter == null ? Duration.ZERO : duration("spec.latency.jitter", spec.latency.jitter, problems);
            if (mean != null && jitter != null && jitter.compareTo(mean) > 0) {
                problems.add("spec.latency.jitter " + spec.latency.jitter + " must not exceed spec.latency.mean " + spec.latency.mean);
            }
        }
        if (spec.bandwidth != null) {
            if (spec.bandwidth.upstream == null && spec.bandwidth.downstream == null) {
                problems.add("spec.bandwidth: set upstream, downstream or both");
            }
            rate("spec.bandwidth.upstream", spec.bandwidth.upstream, problems);
            rate("spec.bandwidth.downstream", spec.bandwidth.downstream, problems);
        }
        if (spec.loss != null) {
            if (spec.loss.probability == null || spec.loss.probability < 0 || spec.loss.probability > 1) {
                problems.add("spec.loss.probability must be between 0 and 1");
            }
            if (spec.loss.stall != null) {
                duration("spec.loss.stall", spec.loss.stall, problems);
            }
        }
        if (spec.connectionLimit != null && spec.connectionLimit < 1) {
            problems.add("spec.connectionLimit must be at least 1");
        }
        return problems;
    }

    private static Duration duration(String path, String value, List<String> problems) {
        try {
            return KubeDurations.parse(value);
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return null;
        }
    }

    private static void rate(String path, String value, List<String> problems) {
        if (value != null && !RATE.matcher(value).matches()) {
            problems.add(path + " '" + value + "' is not a rate such as 256KiB or 2Mbps");
        }
    }
}
