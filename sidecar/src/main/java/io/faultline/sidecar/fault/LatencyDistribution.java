package io.faultline.sidecar.fault;

import java.util.SplittableRandom;

/**
 * How a latency is drawn around {@code fixed} with spread {@code jitter}.
 * <ul>
 *   <li>uniform: fixed ± jitter, evenly (Toxiproxy's jitter);</li>
 *   <li>normal: mean fixed, standard deviation jitter;</li>
 *   <li>pareto: fixed plus a heavy tail, Pareto with scale jitter and shape 2 (mean fixed + jitter);</li>
 *   <li>paretoNormal: netem's mix, 75 % normal(0, jitter) + 25 % pareto tail, added to fixed.</li>
 * </ul>
 * Draws never go below zero; the tail is capped at fixed + 1000 × jitter.
 */
public enum LatencyDistribution {
    UNIFORM("uniform"), NORMAL("normal"), PARETO("pareto"), PARETO_NORMAL("paretoNormal");

    private static final double PARETO_SHAPE = 2.0;
    private final String label;

    LatencyDistribution(String label) {
        this.label = label;
    }

    public long sampleNanos(SplittableRandom random, long fixed, long jitter) {
        if (jitter == 0) {
            return fixed;
        }
        double d = switch (this) {
            case UNIFORM -> fixed + (random.nextDouble() * 2 - 1) * jitter;
            case NORMAL -> fixed + gaussian(random) * jitter;
            case PARETO -> fixed + paretoTail(random) * jitter;
            case PARETO_NORMAL -> fixed + 0.75 * gaussian(random) * jitter + 0.25 * paretoTail(random) * jitter;
        };
        double cap = fixed + 1000.0 * jitter;
        return (long) Math.max(0, Math.min(d, cap));
    }

    /** Pareto(scale 1, shape 2) minus 1: zero or more, mean 1. */
    private static double paretoTail(SplittableRandom random) {
        double u = 1.0 - random.nextDouble(); // (0, 1]
        return Math.pow(u, -1.0 / PARETO_SHAPE) - 1.0;
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    @Override
    public String toString() {
        return label;
    }
}
