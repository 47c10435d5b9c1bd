package io.podswitch.perf.bench;

import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.report.Figures;
import io.podswitch.perf.stats.Summary;

/**
 * Refuses to call a rate the switch's capacity when the generator was the limit. If the offered
 * load is not above the forwarded load (by more than {@link #TOLERANCE}, which absorbs the few
 * packets lost to ARP at start), the switch forwarded everything it was given: its capacity is
 * somewhere above, unknown. Such a figure is marked {@link Status#GENERATOR_BOUND}.
 */
public final class GeneratorGuard {

    /** Offered must exceed forwarded by more than 1 % for the forwarded rate to count as capacity. */
    public static final double TOLERANCE = 0.01;

    private GeneratorGuard() {
    }

    public static boolean generatorBound(double offeredMedian, double forwardedMedian) {
        return offeredMedian <= forwardedMedian * (1.0 + TOLERANCE);
    }

    /** The forwarded-rate measurement, downgraded to generator-bound when the offered medians say so. */
    public static Measurement apply(Measurement forwarded, double[] offered) {
        if (forwarded.status() != Status.OK) {
            return forwarded;
        }
        double o = Summary.of(offered).median();
        double f = forwarded.summary().median();
        if (!generatorBound(o, f)) {
            return forwarded;
        }
        return forwarded.withStatus(Status.GENERATOR_BOUND, "offered " + Figures.format(o) + " not above forwarded "
                + Figures.format(f) + " " + forwarded.unit());
    }
}
