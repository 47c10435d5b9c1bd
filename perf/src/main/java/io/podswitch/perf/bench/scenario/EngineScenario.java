package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.TestpmdRunner;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.side.EngineMode;
import io.podswitch.perf.bench.side.EngineRun;
import io.podswitch.perf.bench.side.EngineSide;
import io.podswitch.perf.bench.side.EngineWorkload;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The engine alone on null ports: io forwarding and IPv4/IPv6 routing, Mpps total and per worker,
 * for 1..N workers (N = number of --cores). Baseline: dpdk-testpmd on two net_null ports, io mode
 * for io, macswap (which also rewrites every packet's header) as the nearest mode for routing.
 */
public final class EngineScenario implements Scenario {

    static final String NAME = "engine";
    static final int ROUTES = 1 << 20;
    static final Outcomes.Metric THROUGHPUT = Outcomes.Metric.higher("throughput", "Mpps");
    static final Outcomes.Metric PER_WORKER = Outcomes.Metric.higher("throughput_per_worker", "Mpps");
    static final Outcomes.Metric CPU_PER_PACKET = Outcomes.Metric.lower("cpu_per_packet", "ns");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "engine on null ports: io, IPv4 and IPv6 forwarding, Mpps per worker, 1..N workers; baseline dpdk-testpmd net_null";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(false, List.of("dpdk-testpmd"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return s.cores().size() * (EngineMode.values().length + 2);
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        List<Measurement> out = new ArrayList<>();
        int size = ctx.settings().packetSizes().getFirst();
        List<Integer> cores = ctx.settings().cores();
        Optional<Path> testpmd = ctx.tool("dpdk-testpmd", "apt-get install -y dpdk");
        for (int workers = 1; workers <= cores.size(); workers++) {
            for (EngineMode mode : EngineMode.values()) {
                out.addAll(podswitch(ctx, mode, workers, size));
            }
            Map<String, List<Measurement>> baseline = new LinkedHashMap<>();
            for (String testpmdMode : List.of("io", "macswap")) {
                baseline.put(testpmdMode, testpmd(ctx, testpmd, testpmdMode, workers, size));
            }
            for (EngineMode mode : EngineMode.values()) {
                String testpmdMode = mode == EngineMode.IO ? "io" : "macswap";
                for (Measurement m : baseline.get(testpmdMode)) {
                    Map<String, String> params = new LinkedHashMap<>(m.parameters());
                    params.put("mode", mode.parameter());
                    String note = mode == EngineMode.IO ? m.note()
                            : (m.note().isEmpty() ? "" : m.note() + "; ") + "testpmd macswap: nearest mode to routing";
                    out.add(new Measurement(m.scenario(), m.subject(), m.metric(), m.unit(), m.direction(),
                            new TreeMap<>(params), m.status(), m.values(), note));
                }
            }
        }
        return out;
    }

    private static Map<String, String> params(String mode, int workers, int size) {
        return Outcomes.params("mode", mode, "workers", Integer.toString(workers), "packet_size", Integer.toString(size));
    }

    private List<Measurement> podswitch(ScenarioContext ctx, EngineMode mode, int workers, int size) {
        Outcomes o = new Outcomes(NAME, Measurement.PODSWITCH);
        Map<String, String> params = params(mode.parameter(), workers, size);
        List<Outcomes.Metric> metrics = List.of(THROUGHPUT, PER_WORKER, CPU_PER_PACKET);
        PodswitchSides sides = ctx.sides();
        if (sides.engine().isEmpty()) {
            return o.not(metrics, params, Status.UNAVAILABLE, PodswitchSides.unboundReason(EngineSide.class));
        }
        EngineSide engine = sides.engine().get();
        EngineWorkload workload = new EngineWorkload(mode, workers, size, ctx.settings().cores(), ROUTES,
                ctx.settings().seed());
        try {
            Samples s = ctx.measure(mode.parameter() + " " + workers + "w " + size + "B", d -> {
                EngineRun run = engine.forward(workload, d);
                return Map.of(THROUGHPUT.name(), run.mpps(), PER_WORKER.name(), run.mpps() / workers,
                        CPU_PER_PACKET.name(), run.packets() == 0 ? 0.0 : (double) run.cpuNanos() / run.packets());
            });
            return List.of(o.ok(THROUGHPUT, params, s, ""), o.ok(PER_WORKER, params, s, ""),
                    o.ok(CPU_PER_PACKET, params, s, ""));
        } catch (SideUnavailableException e) {
            return o.not(metrics, params, Status.UNAVAILABLE, e.getMessage());
        } catch (Exception e) {
            return o.not(metrics, params, Status.FAILED, Outcomes.reason(e));
        }
    }

    private List<Measurement> testpmd(ScenarioContext ctx, Optional<Path> tool, String mode, int workers, int size) {
        Outcomes o = new Outcomes(NAME, "dpdk-testpmd");
        Map<String, String> params = params(mode, workers, size);
        List<Outcomes.Metric> metrics = List.of(THROUGHPUT, PER_WORKER);
        if (tool.isEmpty()) {
            return o.not(metrics, params, Status.MISSING_TOOL, "dpdk-testpmd not installed (apt-get install -y dpdk)");
        }
        TestpmdRunner runner = new TestpmdRunner(tool.get());
        try {
            Samples s = ctx.measure("dpdk-testpmd " + mode + " " + workers + "w " + size + "B", d -> {
                Duration run = ctx.smoke() || d.compareTo(TestpmdRunner.MIN_STEADY) >= 0 ? d : TestpmdRunner.MIN_STEADY;
                double mpps = runner.forwardMpps(mode, workers, size, ctx.settings().cores(), run);
                return Map.of(THROUGHPUT.name(), mpps, PER_WORKER.name(), mpps / workers);
            });
            String note = ctx.smoke() ? "whole-run average incl. start-up" : "";
            return List.of(o.ok(THROUGHPUT, params, s, note), o.ok(PER_WORKER, params, s, note));
        } catch (Exception e) {
            return o.not(metrics, params, Status.FAILED, Outcomes.reason(e));
        }
    }
}
