package io.podswitch.perf.report;

import io.podswitch.perf.stats.Summary;

import java.math.BigDecimal;
import java.math.MathContext;

/** How numbers look in tables: three significant digits, no exponent for everyday magnitudes. */
public final class Figures {

    private Figures() {
    }

    public static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        if (v == 0.0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(3));
        if (Math.abs(v) >= 1e9 || Math.abs(v) < 1e-4) {
            return d.toString();
        }
        return d.stripTrailingZeros().toPlainString();
    }

    /** "median [min–max]", or just the median when there was one repetition. */
    public static String summary(Summary s) {
        if (s.count() == 1) {
            return format(s.median());
        }
        return format(s.median()) + " [" + format(s.min()) + "–" + format(s.max()) + "]";
    }

    /**
     * podswitch relative to a baseline, oriented so that above 1 always means podswitch is better:
     * podswitch/baseline for higher-is-better metrics, baseline/podswitch for lower-is-better ones.
     * NaN when a median is zero.
     */
    public static double ratio(double podswitch, double baseline, Direction direction) {
        double num = direction == Direction.HIGHER_IS_BETTER ? podswitch : baseline;
        double den = direction == Direction.HIGHER_IS_BETTER ? baseline : podswitch;
        return den == 0.0 ? Double.NaN : num / den;
    }
}
