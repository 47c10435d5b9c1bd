package io.podswitch.perf.stats;

import java.util.Arrays;

/**
 * Median with min and max of the repetitions of one measurement. The median, not the mean, is the
 * headline: one repetition disturbed by another process on a shared machine moves it the least.
 */
public record Summary(int count, double median, double min, double max) {

    public Summary {
        if (count < 1) {
            throw new IllegalArgumentException("a summary needs at least one value, got " + count);
        }
    }

    /** Summarises the given values; they are copied, never reordered in place. */
    public static Summary of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("cannot summarise zero values");
        }
        for (double v : values) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("cannot summarise NaN: " + Arrays.toString(values));
            }
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new Summary(sorted.length, Percentiles.ofSorted(sorted, 50.0), sorted[0], sorted[sorted.length - 1]);
    }

    /** Largest distance from the median to min or max, relative to the median (0.05 = ±5 %). */
    public double spread() {
        if (median == 0.0) {
            return max == min ? 0.0 : Double.POSITIVE_INFINITY;
        }
        return Math.max(max - median, median - min) / Math.abs(median);
    }
}
