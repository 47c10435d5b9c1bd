package io.podswitch.daemon.metrics;

import io.podswitch.daemon.health.Health;
import io.podswitch.daemon.health.HealthChecks;
import io.podswitch.daemon.health.HealthReport;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The probes as metrics: {@code podswitch_health_check{probe="readyz",check="dataplane"}} is 1 while the
 * check passes, 0 while it fails — so an alert can say which condition made a node NotReady.
 */
final class HealthMetrics implements MultiCollector {
    private final Health health;

    HealthMetrics(Health health) {
        this.health = health;
    }

    @Override
    public MetricSnapshots collect() {
        Families f = new Families();
        Family checks = f.gauge("podswitch_health_check", "1 while the health check passes, 0 while it fails.",
                "probe", "check");
        for (HealthChecks probe : new HealthChecks[] {health.liveness(), health.readiness()}) {
            HealthReport report = probe.evaluate();
            for (HealthReport.Result r : report.results()) {
                checks.add(r.condition().passing() ? 1 : 0, probe.probe(), r.name());
            }
        }
        return f.build();
    }
}
