package io.podswitch.perf.stats;

import java.util.Arrays;

/**
 * Percentiles by linear interpolation between closest ranks (the "R-7" definition used by
 * numpy and spreadsheets), so that the 50th percentile of an even-sized sample is the mean of
 * the two middle values.
 */
public final class Percentiles {

    private Percentiles() {
    }

    /** Percentile {@code p} (0..100) of unsorted values; the input is not modified. */
    public static double of(double[] values, double p) {
        if (values.length == 0) {
            throw new IllegalArgumentException("percentile of zero values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return ofSorted(sorted, p);
    }

    /** Percentile {@code p} (0..100) of values already sorted ascending. */
    public static double ofSorted(double[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("percentile of zero values");
        }
        if (!(p >= 0.0 && p <= 100.0)) {
            throw new IllegalArgumentException("percentile must be within 0..100, got " + p);
        }
        double rank = p / 100.0 * (sorted.length - 1);
        int lower = (int) Math.floor(rank);
        int upper = (int) Math.ceil(rank);
        double fraction = rank - lower;
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
    }
}
