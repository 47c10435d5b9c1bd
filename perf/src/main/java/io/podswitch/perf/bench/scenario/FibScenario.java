package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.LpmAutotestRunner;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.MachineProbe;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.jvm.ShippedJvmFlags;
import io.podswitch.perf.bench.jvm.SubjectJvmLog;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/**
 * FIB lookup and insert cost: the JMH benchmarks of {@code io.podswitch.perf.fib} (≈1M IPv4 routes
 * with a real prefix-length distribution, and an IPv6 table), beside DPDK's
 * {@code lpm_perf_autotest}/{@code lpm6_perf_autotest}, in cycles per operation.
 *
 * <p>Pairing convention: a JMH method named {@code lookup} or {@code insert} in a class whose name
 * contains {@code 4} or {@code 6} (e.g. {@code Ip4FibBenchmark.lookup}) is reported as
 * {@code lookup_cycles}/{@code insert_cycles} with {@code family=ipv4|ipv6}, the same key as DPDK's
 * "Average LPM Lookup"/"Average LPM Add", so the report shows the ratio. Other benchmarks are
 * reported under their own names.
 */
public final class FibScenario implements Scenario {

    static final String NAME = "fib";
    static final String PACKAGE_REGEX = "^io\\.podswitch\\.perf\\.fib\\..*";
    private static final Map<String, String> DPDK_METRICS = Map.of("average_lpm_lookup", "lookup_cycles",
            "average_lpm_add", "insert_cycles", "average_lpm_delete", "delete_cycles", "bulk_lpm_lookup",
            "lookup_bulk_cycles", "lpm_lookupx4", "lookup_x4_cycles");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "FIB lookup/insert cycles (JMH, ~1M IPv4 routes and an IPv6 table); baseline dpdk-test lpm/lpm6 perf autotests";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(false, List.of("dpdk-test"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 2;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        List<Measurement> out = new ArrayList<>();
        double hz = MachineProbe.live().cpuHz().orElse(0.0);
        out.addAll(podswitch(ctx, hz));
        out.addAll(dpdk(ctx));
        return out;
    }

    private List<Measurement> podswitch(ScenarioContext ctx, double hz) {
        Outcomes o = new Outcomes(NAME, Measurement.PODSWITCH);
        Outcomes.Metric lookup = Outcomes.Metric.lower("lookup_cycles", "cycles/op");
        List<String> benchmarks = benchmarks();
        if (benchmarks.isEmpty()) {
            return List.of(o.not(lookup, Outcomes.params("family", "ipv4"), Status.UNAVAILABLE,
                    "no JMH benchmarks under io.podswitch.perf.fib in this build"),
                    o.not(lookup, Outcomes.params("family", "ipv6"), Status.UNAVAILABLE,
                            "no JMH benchmarks under io.podswitch.perf.fib in this build"));
        }
        BenchSettings s = ctx.settings();
        ChainedOptionsBuilder options = new OptionsBuilder().include(PACKAGE_REGEX).shouldFailOnError(true)
                .measurementIterations(s.repeat()).measurementTime(TimeValue.milliseconds(s.duration().toMillis()))
                .warmupIterations(s.warmup().isZero() ? 0 : 1)
                .warmupTime(TimeValue.milliseconds(Math.max(1, s.warmup().toMillis())))
                .forks(ctx.smoke() ? 0 : 1).verbosity(VerboseMode.SILENT)
                .jvmArgs(ShippedJvmFlags.daemon().toArray(String[]::new)); // each benchmark's @Fork heap is appended
        if (ctx.smoke()) {
            options.include("^" + java.util.regex.Pattern.quote(benchmarks.getFirst()) + "$");
        }
        ctx.note("running " + (ctx.smoke() ? 1 : benchmarks.size()) + " JMH benchmark(s) of io.podswitch.perf.fib");
        try {
            if (ctx.smoke()) {
                SubjectJvmLog.inThisJvm(Measurement.PODSWITCH, "bench JVM: JMH without a fork (smoke)");
            } else {
                SubjectJvmLog.startingWith(Measurement.PODSWITCH, "JMH fork per benchmark (its @Fork heap appended)",
                        ShippedJvmFlags.daemon());
            }
            Collection<RunResult> results = new Runner(options.build(), OutputFormatFactory.createFormatInstance(
                    new PrintStream(OutputStream.nullOutputStream()), VerboseMode.SILENT)).run();
            List<Measurement> out = new ArrayList<>();
            for (RunResult r : results) {
                out.addAll(fromJmh(o, r, hz));
            }
            return out;
        } catch (Exception e) {
            return List.of(o.not(lookup, Outcomes.params("family", "ipv4"), Status.FAILED, Outcomes.reason(e)));
        }
    }

    /** The JMH benchmark names of io.podswitch.perf.fib on the class path (none if no list exists). */
    static List<String> benchmarks() {
        try {
            SortedSet<BenchmarkListEntry> found = BenchmarkList.defaultList().find(
                    OutputFormatFactory.createFormatInstance(new PrintStream(OutputStream.nullOutputStream()),
                            VerboseMode.SILENT), List.of(PACKAGE_REGEX), List.of());
            List<String> names = new ArrayList<>();
            found.forEach(e -> names.add(e.getUsername()));
            return names;
        } catch (RuntimeException e) {
            return List.of(); // no META-INF/BenchmarkList: the module has no benchmarks at all
        }
    }

    static List<Measurement> fromJmh(Outcomes o, RunResult r, double hz) {
        String full = r.getParams().getBenchmark();
        String method = full.substring(full.lastIndexOf('.') + 1);
        String cls = full.substring(0, full.lastIndexOf('.'));
        cls = cls.substring(cls.lastIndexOf('.') + 1);
        Map<String, String> params = new LinkedHashMap<>();
        for (String k : r.getParams().getParamsKeys()) {
            params.put(k, r.getParams().getParam(k));
        }
        boolean paired = (method.equals("lookup") || method.equals("insert")) && (cls.contains("4") != cls.contains("6"));
        if (paired) {
            params.put("family", cls.contains("4") ? "ipv4" : "ipv6");
        } else {
            params.put("benchmark", cls);
        }
        List<Double> scores = new ArrayList<>();
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult i : b.getIterationResults()) {
                scores.add(i.getPrimaryResult().getScore());
            }
        }
        double[] values = scores.stream().mapToDouble(Double::doubleValue).toArray();
        String unit = r.getPrimaryResult().getScoreUnit();
        boolean throughput = r.getParams().getMode() == Mode.Throughput;
        List<Measurement> out = new ArrayList<>();
        String jmhMetric = paired ? method + "_jmh" : method;
        out.add(o.ok(throughput ? Outcomes.Metric.higher(jmhMetric, unit) : Outcomes.Metric.lower(jmhMetric, unit),
                params, values, "JMH " + r.getParams().getMode().shortLabel()));
        double nsPerUnit = unit.equals("ns/op") ? 1.0 : unit.equals("us/op") ? 1e3 : 0.0;
        if (!throughput && nsPerUnit > 0 && hz > 0 && values.length > 0) {
            double[] cycles = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                cycles[i] = values[i] * nsPerUnit * hz / 1e9;
            }
            out.add(o.ok(Outcomes.Metric.lower(method + "_cycles", "cycles/op"), params, cycles,
                    "from JMH time × nominal " + Math.round(hz / 1e6) + " MHz"));
        }
        return out;
    }

    private List<Measurement> dpdk(ScenarioContext ctx) {
        Outcomes o = new Outcomes(NAME, "dpdk-lpm");
        Optional<Path> tool = ctx.tool("dpdk-test", "apt-get install -y dpdk");
        List<Measurement> out = new ArrayList<>();
        Outcomes.Metric lookup = Outcomes.Metric.lower("lookup_cycles", "cycles/op");
        for (String family : List.of("ipv4", "ipv6")) {
            Map<String, String> params = Outcomes.params("family", family);
            String test = family.equals("ipv4") ? "lpm_perf_autotest" : "lpm6_perf_autotest";
            if (tool.isEmpty()) {
                out.add(o.not(lookup, params, Status.MISSING_TOOL, "dpdk-test not installed (apt-get install -y dpdk)"));
                continue;
            }
            if (ctx.smoke()) {
                out.add(o.not(lookup, params, Status.SKIPPED, test + " takes minutes; not run in smoke mode"));
                continue;
            }
            LpmAutotestRunner runner = new LpmAutotestRunner(tool.get(), ctx.tool("stdbuf", "coreutils"));
            try {
                BenchSettings s = ctx.settings();
                Samples samples = ctx.measure("dpdk-test " + test, d -> {
                    Map<String, Double> figures = new LinkedHashMap<>();
                    runner.run(test, s.cores().getFirst()).forEach((label, cycles) ->
                            figures.put(DPDK_METRICS.getOrDefault(label, label + "_cycles"), cycles));
                    return figures;
                }, false);
                for (String metric : List.of("lookup_cycles", "insert_cycles", "delete_cycles", "lookup_bulk_cycles",
                        "lookup_x4_cycles")) {
                    if (samples.has(metric)) {
                        out.add(o.ok(Outcomes.Metric.lower(metric, "cycles/op"), params, samples, test));
                    }
                }
            } catch (Exception e) {
                out.add(o.not(lookup, params, Status.FAILED, Outcomes.reason(e)));
            }
        }
        return out;
    }
}
