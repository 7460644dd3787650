package io.faultline.sidecar.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Each distribution sampled 200,000 times with a fixed seed, in milliseconds. Tolerances are about
 * five standard errors of the statistic (stated per check), so a correct sampler passes for any
 * seed with overwhelming probability and a wrong shape or scale fails.
 */
class LatencyDistributionTest {
    private static final int N = 200_000;
    private static final long MS = 1_000_000L;

    private static double[] sampleMillis(LatencyDistribution d, long fixedMs, long jitterMs) {
        SplittableRandom random = new SplittableRandom(20261123);
        double[] out = new double[N];
        for (int i = 0; i < N; i++) {
            out[i] = d.sampleNanos(random, fixedMs * MS, jitterMs * MS) / (double) MS;
        }
        Arrays.sort(out);
        return out;
    }

    private static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElseThrow();
    }

    private static double stddev(double[] xs) {
        double m = mean(xs);
        return Math.sqrt(Arrays.stream(xs).map(x -> (x - m) * (x - m)).sum() / (xs.length - 1));
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[(int) Math.floor(p * (sorted.length - 1))];
    }

    @Test
    void noJitterIsExactlyFixedForEveryDistribution() {
        for (LatencyDistribution d : LatencyDistribution.values()) {
            assertThat(d.sampleNanos(new SplittableRandom(1), 123 * MS, 0)).isEqualTo(123 * MS);
        }
    }

    @Test
    void uniformSpreadsEvenlyOverFixedPlusMinusJitter() {
        double[] xs = sampleMillis(LatencyDistribution.UNIFORM, 100, 30);
        // sd = 30/sqrt(3) = 17.32; SE(mean) = 0.039, SE(sd) ~ 0.02, SE(percentile) <= 0.07.
        assertThat(mean(xs)).isCloseTo(100, within(0.2));
        assertThat(stddev(xs)).isCloseTo(30 / Math.sqrt(3), within(0.15));
        assertThat(xs[0]).isGreaterThanOrEqualTo(70);
        assertThat(xs[N - 1]).isLessThanOrEqualTo(130);
        assertThat(percentile(xs, 0.10)).isCloseTo(76, within(0.35));
        assertThat(percentile(xs, 0.50)).isCloseTo(100, within(0.35));
        assertThat(percentile(xs, 0.90)).isCloseTo(124, within(0.35));
    }

    @Test
    void normalHasMeanFixedAndStandardDeviationJitter() {
        double[] xs = sampleMillis(LatencyDistribution.NORMAL, 100, 10);
        // SE(mean) = 0.022, SE(sd) = 0.016, SE(median) = 0.028, SE(p97.7) ~ 0.08.
        assertThat(mean(xs)).isCloseTo(100, within(0.12));
        assertThat(stddev(xs)).isCloseTo(10, within(0.1));
        assertThat(percentile(xs, 0.5)).isCloseTo(100, within(0.15));
        assertThat(percentile(xs, 0.158655)).isCloseTo(90, within(0.25));
        assertThat(percentile(xs, 0.841345)).isCloseTo(110, within(0.25));
        assertThat(percentile(xs, 0.977250)).isCloseTo(120, within(0.45));
    }

    @Test
    void normalNeverGoesBelowZero() {
        double[] xs = sampleMillis(LatencyDistribution.NORMAL, 10, 20);
        assertThat(xs[0]).isGreaterThanOrEqualTo(0);
        // P(X <= 0) = Phi(-0.5) = 0.3085: that mass sits exactly at zero. SE = 0.001.
        long zeros = Arrays.stream(xs).filter(x -> x == 0).count();
        assertThat(zeros / (double) N).isCloseTo(0.3085, within(0.006));
    }

    /**
     * Pareto(shape 2) has infinite variance, so its sample standard deviation never settles; the
     * checks are the quantiles (closed form: fixed + jitter * (1/sqrt(1-p) - 1)), the mean
     * (fixed + jitter; the cap at 1000 x jitter moves it by 0.1 %), and the floor at fixed.
     */
    @Test
    void paretoHasAHeavyTailAboveFixed() {
        double[] xs = sampleMillis(LatencyDistribution.PARETO, 50, 10);
        assertThat(xs[0]).isGreaterThanOrEqualTo(50);
        assertThat(xs[N - 1]).isLessThanOrEqualTo(50 + 1000 * 10);
        for (double p : new double[] {0.5, 0.9, 0.99}) {
            double expected = 50 + 10 * (1 / Math.sqrt(1 - p) - 1);
            // SE(q_p) = sqrt(p(1-p)/N) / f(q_p); f = 2 / (jitter * (1 + y)^3) with y the tail value.
            double y = 1 / Math.sqrt(1 - p) - 1;
            double density = 2 / (10 * Math.pow(1 + y, 3));
            double se = Math.sqrt(p * (1 - p) / N) / density;
            assertThat(percentile(xs, p)).as("p%.0f", p * 100).isCloseTo(expected, within(5 * se));
        }
        // Capped at 1000 x jitter the variance is about 2 ln(1001) - 1 = 12.8 jitter^2: SE(mean) = 0.08 ms.
        assertThat(mean(xs)).isCloseTo(60, within(0.4));
    }

    /**
     * paretoNormal = fixed + jitter * (0.75 Z + 0.25 P), Z standard normal, P the Pareto tail above.
     * The expected quantiles are computed independently of the sampler, by integrating the normal CDF
     * over the Pareto tail's quantile function.
     */
    @Test
    void paretoNormalMixesANormalBodyWithAParetoTail() {
        double[] xs = sampleMillis(LatencyDistribution.PARETO_NORMAL, 100, 20);
        // Mean fixed + 0.25 jitter = 105; the variance (capped) ~ (0.5625 + 0.0625 * 12.8) jitter^2: SE 0.05 ms.
        assertThat(mean(xs)).isCloseTo(105, within(0.3));
        for (double p : new double[] {0.1, 0.5, 0.9, 0.99}) {
            double unit = quantileOfMix(p);
            double expected = 100 + 20 * unit;
            double se = Math.sqrt(p * (1 - p) / N) / (densityOfMix(unit) / 20);
            assertThat(percentile(xs, p)).as("p%.0f", p * 100).isCloseTo(expected, within(5 * se + 0.01));
        }
        // Without the tail's clipping, draws below zero are clamped: none here (fixed is 5 sd above 0).
        assertThat(xs[0]).isGreaterThanOrEqualTo(0);
    }

    /** P(0.75 Z + 0.25 P <= t) = integral over u in (0,1) of Phi((t - 0.25 (u^-1/2 - 1)) / 0.75). */
    private static double cdfOfMix(double t) {
        int steps = 20_000;
        double sum = 0;
        for (int i = 0; i < steps; i++) {
            double u = (i + 0.5) / steps;
            double tail = Math.pow(u, -0.5) - 1;
            sum += phi((t - 0.25 * tail) / 0.75);
        }
        return sum / steps;
    }

    private static double densityOfMix(double t) {
        double h = 1e-3;
        return (cdfOfMix(t + h) - cdfOfMix(t - h)) / (2 * h);
    }

    private static double quantileOfMix(double p) {
        double lo = -10;
        double hi = 100;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (cdfOfMix(mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** Standard normal CDF via erf (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
    private static double phi(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * z);
        double erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                * Math.exp(-z * z);
        return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
