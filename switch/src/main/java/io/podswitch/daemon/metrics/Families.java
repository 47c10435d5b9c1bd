package io.podswitch.daemon.metrics;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;

/** The families one collector fills in a scrape, built into snapshots together. */
public final class Families {
    private final List<Family> families = new ArrayList<>();

    public Family counter(String name, String help, String... labelNames) {
        return add(Family.counter(name, help, labelNames));
    }

    public Family gauge(String name, String help, String... labelNames) {
        return add(Family.gauge(name, help, labelNames));
    }

    private Family add(Family f) {
        families.add(f);
        return f;
    }

    /** Every family that got at least one data point. */
    public MetricSnapshots build() {
        MetricSnapshots.Builder b = MetricSnapshots.builder();
        for (Family f : families) {
            if (!f.isEmpty()) {
                b.metricSnapshot(f.snapshot());
            }
        }
        return b.build();
    }
}
