package io.podswitch.daemon.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One metric family being collected: a name, its help text, its label names, and the data points
 * added so far — built into the Prometheus client's snapshot at the end of a scrape. Counter names are
 * given without {@code _total} (the exposition writers add it).
 */
public final class Family {
    private final boolean counter;
    private final String name;
    private final String help;
    private final String[] labelNames;
    /** Data points by labels; the same labels added twice are summed (two sources of one thing). */
    private final Map<Labels, Double> points = new LinkedHashMap<>();

    private Family(boolean counter, String name, String help, String... labelNames) {
        this.counter = counter;
        this.name = name;
        this.help = help;
        this.labelNames = labelNames;
    }

    /** A monotonic counter, exposed as {@code NAME_total}. */
    public static Family counter(String name, String help, String... labelNames) {
        return new Family(true, name, help, labelNames);
    }

    /** A value that goes up and down (occupancy, sizes, states). */
    public static Family gauge(String name, String help, String... labelNames) {
        return new Family(false, name, help, labelNames);
    }

    /** Adds one data point; {@code labelValues} in the order of the label names. */
    public Family add(double value, String... labelValues) {
        if (labelValues.length != labelNames.length) {
            throw new IllegalArgumentException(name + ": " + labelNames.length + " label values expected, got "
                    + labelValues.length);
        }
        points.merge(labelNames.length == 0 ? Labels.EMPTY : Labels.of(labelNames, labelValues), value, Double::sum);
        return this;
    }

    public boolean isEmpty() {
        return points.isEmpty();
    }

    public MetricSnapshot snapshot() {
        if (counter) {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
            points.forEach((labels, value) -> b.dataPoint(
                    CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build()));
            return b.build();
        }
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        points.forEach((labels, value) -> b.dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build()));
        return b.build();
    }
}
