package io.podswitch.perf.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps data values to pixels along one axis, linear or log10, and proposes tick values. A log axis
 * is used for latency percentiles (x: 1/(1-p)) where p50..p99.99 must be evenly readable.
 */
public record Axis(double min, double max, boolean log, double pixelFrom, double pixelTo) {

    public Axis {
        if (log && (min <= 0 || max <= 0)) {
            throw new IllegalArgumentException("a log axis needs positive bounds: " + min + ".." + max);
        }
        if (!(max > min)) {
            throw new IllegalArgumentException("axis needs max > min: " + min + ".." + max);
        }
    }

    public double toPixel(double v) {
        double f = log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (v - min) / (max - min);
        return pixelFrom + f * (pixelTo - pixelFrom);
    }

    /** Linear axis from zero (or the data minimum if negative) to a "nice" value above the data maximum. */
    public static Axis linearFromZero(double dataMax, double pixelFrom, double pixelTo) {
        double top = niceTop(dataMax <= 0 ? 1.0 : dataMax * 1.05);
        return new Axis(0.0, top, false, pixelFrom, pixelTo);
    }

    /** About five round tick values within the axis. */
    public List<Double> ticks() {
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double v = Math.pow(10, Math.ceil(Math.log10(min))); v <= max * 1.0001; v *= 10) {
                ticks.add(v);
            }
            return ticks;
        }
        double step = niceCeiling((max - min) / 5.0);
        for (double v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
            ticks.add(v);
        }
        return ticks;
    }

    /** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 × 10^n at or above v: little wasted height. */
    static double niceTop(double v) {
        double exp = Math.pow(10, Math.floor(Math.log10(v)));
        for (double f : new double[]{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (f * exp >= v * (1 - 1e-12)) {
                return f * exp;
            }
        }
        return 10 * exp;
    }

    static double niceCeiling(double v) {
        double exp = Math.pow(10, Math.floor(Math.log10(v)));
        double f = v / exp;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return nice * exp;
    }

    /** Short label for a tick: 3 significant digits, k/M suffixes for large numbers. */
    public static String label(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        return Figures.format(v);
    }
}
