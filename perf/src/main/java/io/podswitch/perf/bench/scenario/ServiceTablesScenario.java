package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.servicetables.TableRun;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service data plane's tables at Kubernetes scale (docs/service.md, "Scale"): 10,000 two-port
 * dual-stack Services with 1..250 endpoints each over 150,000 pods on 5,000 nodes, built through
 * {@code ServiceManager} in this JVM — build time, single-service change time (p50/p99 over 1,000 changes)
 * and the memory the tables hold. Baseline {@value #LEGACY}: the tables as they were before issue 12
 * (a 65,537-slot int Maglev table per key, the key index and endpoint set rebuilt on every change, every
 * service diffed on every change), measured beside podswitch at {@value #BASELINE_SERVICES} services and
 * {@value #BASELINE_CHANGES} changes, without warm-up: at 10,000 it would need about 11 GiB of heap (the
 * bench, like podswitchd, runs with {@code -Xmx1g}: it holds about 800 such services) and hours (each of
 * its 44,000 puts scans and rebuilds the whole table, each change diffs every service). No root, no tools.
 */
public final class ServiceTablesScenario implements Scenario {

    static final String NAME = "service-tables";
    static final String LEGACY = "pre-issue-12-tables";
    static final int SERVICES = 10_000;
    static final int BASELINE_SERVICES = 500;
    static final int MAX_ENDPOINTS = 250;
    static final int CHANGES = 1_000;
    static final int BASELINE_CHANGES = 100;
    static final Outcomes.Metric BUILD = Outcomes.Metric.lower("build_time", "s");
    static final Outcomes.Metric CHANGE_P50 = Outcomes.Metric.lower("change_p50", "us");
    static final Outcomes.Metric CHANGE_P99 = Outcomes.Metric.lower("change_p99", "us");
    static final Outcomes.Metric HEAP = Outcomes.Metric.lower("heap", "MiB");
    static final Outcomes.Metric OFF_HEAP = Outcomes.Metric.lower("off_heap", "MiB");
    static final Outcomes.Metric KEYS = Outcomes.Metric.higher("keys", "keys");
    private static final List<Outcomes.Metric> METRICS = List.of(BUILD, CHANGE_P50, CHANGE_P99, HEAP, OFF_HEAP, KEYS);

    /** How one side is run: services, changes, and which tables. */
    private interface Side {
        TableRun run(int services, int maxEndpoints, int changes, long seed);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "service tables at scale: 10,000 two-port dual-stack Services, 1..250 endpoints: build, change p50/p99,"
                + " memory; baseline the pre-issue-12 tables at 500 Services";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(false, List.of());
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return (s.sideSelected(Measurement.PODSWITCH) ? 2 : 0) + (s.sideSelected(LEGACY) ? 1 : 0);
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) {
        boolean smoke = ctx.smoke();
        int services = smoke ? 200 : SERVICES;
        int baseline = smoke ? 50 : BASELINE_SERVICES;
        int changes = smoke ? 50 : CHANGES;
        int baselineChanges = smoke ? 10 : BASELINE_CHANGES;
        long seed = ctx.settings().seed();
        List<Measurement> out = new ArrayList<>();
        if (ctx.settings().sideSelected(Measurement.PODSWITCH)) {
            out.addAll(measure(ctx, Measurement.PODSWITCH, TableRun::podswitch, services, changes, seed, true));
            out.addAll(measure(ctx, Measurement.PODSWITCH, TableRun::podswitch, baseline, baselineChanges, seed, true));
        }
        if (ctx.settings().sideSelected(LEGACY)) {
            // Its build takes minutes: no warm-up round (the JIT warms up within the build's thousands of keys).
            out.addAll(measure(ctx, LEGACY, TableRun::legacy, baseline, baselineChanges, seed, false));
        }
        return out;
    }

    private static List<Measurement> measure(ScenarioContext ctx, String subject, Side side, int services, int changes,
                                             long seed, boolean warmUp) {
        Outcomes o = new Outcomes(NAME, subject);
        Map<String, String> params = Outcomes.params("services", Integer.toString(services), "endpoints",
                "1.." + MAX_ENDPOINTS, "changes", Integer.toString(changes));
        try {
            Samples s = ctx.measure(subject + " " + services + " services", d -> {
                TableRun r = side.run(services, MAX_ENDPOINTS, changes, seed);
                ctx.note(subject + ": " + r);
                return Map.of(BUILD.name(), r.buildSeconds(), CHANGE_P50.name(), r.changeP50Micros(),
                        CHANGE_P99.name(), r.changeP99Micros(), HEAP.name(), r.heapMiB(), OFF_HEAP.name(),
                        r.offHeapMiB(), KEYS.name(), (double) r.keys());
            }, warmUp);
            List<Measurement> out = new ArrayList<>();
            for (Outcomes.Metric m : METRICS) {
                out.add(o.ok(m, params, s, "in-process, one JVM; heap after full GC with the tables held"));
            }
            return out;
        } catch (OutOfMemoryError e) {
            return o.not(METRICS, params, Status.FAILED, "out of memory: " + e.getMessage() + " (raise -Xmx)");
        } catch (Exception e) {
            return o.not(METRICS, params, Status.FAILED, Outcomes.reason(e));
        }
    }
}
