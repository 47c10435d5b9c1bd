package io.podswitch.perf.report;

import java.util.List;

/** One named line (or bar group member) of a chart: points sorted by x. */
public record ChartSeries(String name, List<Point> points) {

    public ChartSeries {
        points = List.copyOf(points);
    }

    /** A median with its min–max range at x. */
    public record Point(double x, double median, double min, double max) {
    }
}
