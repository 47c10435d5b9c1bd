package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.TrafgenLoad;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.GeneratorGuard;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.PortKind;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.bench.side.SwitchPathSide;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.topo.Topology;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * generator netns → forwarder → sink netns with trafgen, for every packet size: offered and
 * forwarded Mpps, loss, and podswitch's CPU per forwarded packet. The forwarded rate of a step
 * where the generator could not offer more than was forwarded is marked generator-bound.
 * Baselines: the kernel routing between namespaces, a Linux bridge with veths, and dpdk-testpmd
 * (io mode) on the same kind of ports (net_tap or net_af_xdp).
 */
abstract class ForwardingScenario implements Scenario {

    static final Outcomes.Metric FORWARDED = Outcomes.Metric.higher("forwarded_rate", "Mpps");
    static final Outcomes.Metric OFFERED = Outcomes.Metric.higher("offered_rate", "Mpps");
    static final Outcomes.Metric LOSS = Outcomes.Metric.lower("loss", "%");
    static final Outcomes.Metric CPU = Outcomes.Metric.lower("cpu_per_packet", "ns");
    static final List<Outcomes.Metric> METRICS = List.of(FORWARDED, OFFERED, LOSS);

    private final PortKind kind;

    ForwardingScenario(PortKind kind) {
        this.kind = kind;
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("trafgen", "ip", "dpdk-testpmd"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 4 * s.packetSizes().size();
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        List<Integer> sizes = ctx.settings().packetSizes();
        Optional<Path> trafgen = ctx.tool("trafgen", "apt-get install -y netsniff-ng");
        List<Measurement> out = new ArrayList<>();
        PodswitchSides sides = ctx.sides();
        Optional<Path> testpmd = ctx.tool("dpdk-testpmd", "apt-get install -y dpdk");
        int core = ctx.settings().cores().getFirst();
        List<Optional<PathSubject>> subjects = List.of(
                sides.switchPath().map(s -> (PathSubject) PathSubject.Podswitch.oneWorker(s, kind, ctx.settings().cores())),
                Optional.of(new PathSubject.KernelForward()), Optional.of(new PathSubject.LinuxBridge()),
                testpmd.map(t -> (PathSubject) new PathSubject.Testpmd(t, kind, core)));
        for (int i = 0; i < subjects.size(); i++) {
            Optional<PathSubject> subject = subjects.get(i);
            String name = subject.map(PathSubject::name).orElse(i == 0 ? Measurement.PODSWITCH : "dpdk-testpmd");
            Outcomes o = new Outcomes(name(), name);
            if (i == 3 && subject.isEmpty()) {
                for (int size : sizes) {
                    out.addAll(o.not(METRICS, params(size), Status.MISSING_TOOL,
                            "dpdk-testpmd not installed (apt-get install -y dpdk)"));
                }
                continue;
            }
            String blocked = subject.isEmpty() ? PodswitchSides.unboundReason(SwitchPathSide.class)
                    : !ctx.isRoot() ? "namespaces and veths need root"
                    : trafgen.isEmpty() ? "trafgen not installed (apt-get install -y netsniff-ng)" : null;
            if (blocked != null) {
                Status status = subject.isEmpty() ? Status.UNAVAILABLE : !ctx.isRoot() ? Status.NEEDS_ROOT
                        : Status.MISSING_TOOL;
                for (int size : sizes) {
                    out.addAll(o.not(METRICS, params(size), status, blocked));
                }
                continue;
            }
            out.addAll(measure(ctx, subject.get(), o, new TrafgenLoad(trafgen.get()), sizes));
        }
        return out;
    }

    private List<Measurement> measure(ScenarioContext ctx, PathSubject subject, Outcomes o, TrafgenLoad load,
                                      List<Integer> sizes) {
        List<Measurement> out = new ArrayList<>();
        try (Topology t = Topology.create()) {
            PathSubject.Built built;
            try {
                built = subject.build(t);
            } catch (SideUnavailableException e) {
                sizes.forEach(size -> out.addAll(o.not(METRICS, params(size), Status.UNAVAILABLE, e.getMessage())));
                return out;
            } catch (Exception e) {
                sizes.forEach(size -> out.addAll(o.not(METRICS, params(size), Status.FAILED, Outcomes.reason(e))));
                return out;
            }
            try (AutoCloseable _ = built.forwarder()) {
                for (int size : sizes) {
                    out.addAll(step(ctx, subject, o, load, built, size));
                }
            } catch (Exception e) {
                out.add(o.not(FORWARDED, Map.of(), Status.FAILED, "tearing down: " + Outcomes.reason(e)));
            }
        }
        return out;
    }

    private List<Measurement> step(ScenarioContext ctx, PathSubject subject, Outcomes o, TrafgenLoad load,
                                   PathSubject.Built built, int size) {
        Map<String, String> params = params(size);
        try {
            Samples s = ctx.measure(subject.name() + " " + size + "B", d -> {
                long cpu0 = built.cpuNanos();
                Map<String, Double> v = new HashMap<>(load.run(built.path(), size, d, 1));
                double packets = v.get("forwarded_packets");
                v.put(FORWARDED.name(), v.get(TrafgenLoad.FORWARDED));
                v.put(OFFERED.name(), v.get(TrafgenLoad.OFFERED));
                v.put(LOSS.name(), v.get(TrafgenLoad.LOSS));
                v.put(CPU.name(), packets == 0 ? 0.0 : (built.cpuNanos() - cpu0) / packets);
                return v;
            });
            List<Measurement> out = new ArrayList<>();
            out.add(GeneratorGuard.apply(o.ok(FORWARDED, params, s, ""), s.get(OFFERED.name())));
            out.add(o.ok(OFFERED, params, s, "trafgen, 1 process"));
            out.add(o.ok(LOSS, params, s, ""));
            if (built.forwarderCpu().isPresent()) {
                out.add(o.ok(CPU, params, s, "forwarder CPU time / forwarded packets"));
            }
            return out;
        } catch (Exception e) {
            return o.not(METRICS, params, Status.FAILED, Outcomes.reason(e));
        }
    }

    static Map<String, String> params(int size) {
        return Outcomes.params("packet_size", Integer.toString(size));
    }
}
