package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.Iperf3Runner;
import io.podswitch.perf.bench.BenchSettings;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * iperf3 TCP pod to pod on the same node through podswitch (TAP), beside the same between two
 * namespaces on a Linux bridge (what most CNI plugins build) and through the kernel as a router.
 * podswitch runs one worker per core of {@code --cores} (default: every online CPU, as the kernel paths
 * may use them all), wired as {@code podswitchd --workers N}; {@code --cores 0} gives the one-worker figure.
 * Beside them, the TAP floor ({@code tap-floor}, {@link io.podswitch.perf.sides.TapFloor}): podswitch's own
 * TAP ports pumped by one thread per core with no graph — the least a TAP data plane must spend here, so
 * its ratio to the bridge is the ceiling for podswitch. Every subject reports, next to Gbit/s, the
 * machine's CPU per gigabyte moved (user, system, softirq; {@link CpuPerByteMetrics}) and how busy the
 * machine was, and the forwarding subjects their threads' CPU per gigabyte.
 * Cross-node needs podswitch's overlay between two nodes; it is listed as unavailable until a side
 * provides it.
 */
public final class PodTcpScenario implements Scenario {

    static final String NAME = "pod-tcp";
    static final Outcomes.Metric THROUGHPUT = Outcomes.Metric.higher("tcp_throughput", "Gbit/s");
    private static final int PORT = 5201;
    /** One stream (one flow, one worker's share) and four (spread over TAP queues and workers). */
    static final List<Integer> STREAMS = List.of(1, 4);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "iperf3 TCP pod to pod, same node, through podswitch (TAP); baselines Linux bridge + veth, kernel routing";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("iperf3", "ip"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 4 * STREAMS.size();
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        Optional<Path> iperf3 = ctx.tool("iperf3", "apt-get install -y iperf3");
        PodswitchSides sides = ctx.sides();
        List<Measurement> out = new ArrayList<>();
        List<Optional<PathSubject>> subjects = List.of(
                sides.switchPath().map(s -> (PathSubject) new PathSubject.Podswitch(s, PortKind.TAP, ctx.settings().cores())),
                Optional.of(new PathSubject.TapFloor(ctx.settings().cores())),
                Optional.of(new PathSubject.LinuxBridge()), Optional.of(new PathSubject.KernelForward()));
        for (Optional<PathSubject> subject : subjects) {
            Outcomes o = new Outcomes(NAME, subject.map(PathSubject::name).orElse(Measurement.PODSWITCH));
            List<Outcomes.Metric> metrics = metrics(subject.map(PodTcpScenario::forwards).orElse(true));
            for (int streams : STREAMS) {
                Map<String, String> same = Outcomes.params("placement", "same-node", "streams", Integer.toString(streams));
                if (subject.isEmpty()) {
                    out.addAll(o.not(metrics, same, Status.UNAVAILABLE, PodswitchSides.unboundReason(SwitchPathSide.class)));
                } else if (!ctx.isRoot()) {
                    out.addAll(o.not(metrics, same, Status.NEEDS_ROOT, "namespaces and veths need root"));
                } else if (iperf3.isEmpty()) {
                    out.addAll(o.not(metrics, same, Status.MISSING_TOOL, "iperf3 not installed (apt-get install -y iperf3)"));
                } else {
                    out.addAll(measure(ctx, subject.get(), o, metrics, new Iperf3Runner(iperf3.get()), same, streams));
                }
            }
        }
        out.add(new Outcomes(NAME, Measurement.PODSWITCH).not(THROUGHPUT, Outcomes.params("placement", "cross-node"),
                Status.UNAVAILABLE, "cross-node pod traffic is measured by the cross-node scenario (podswitch overlay vs the kernel's vxlan)"));
        return out;
    }

    /** Throughput, then the CPU figures ({@link CpuPerByteMetrics}); the forwarder's own share for podswitch and the floor. */
    static List<Outcomes.Metric> metrics(boolean forwarder) {
        List<Outcomes.Metric> m = new ArrayList<>();
        m.add(THROUGHPUT);
        m.addAll(CpuPerByteMetrics.of(forwarder));
        return m;
    }

    /** Does a userspace process forward for this subject (podswitch, the floor), rather than the kernel? */
    private static boolean forwards(PathSubject subject) {
        return subject instanceof PathSubject.Podswitch || subject instanceof PathSubject.TapFloor;
    }

    /** How many workers (or floor pumps) a subject ran: one per core given, as {@code podswitchd --workers N}. */
    private static String workers(PathSubject subject) {
        List<Integer> cores = switch (subject) {
            case PathSubject.Podswitch p -> p.cores();
            case PathSubject.TapFloor f -> f.cores();
            default -> null;
        };
        if (cores == null) {
            return "";
        }
        int n = Math.max(1, cores.size());
        String what = subject instanceof PathSubject.TapFloor ? " pump thread" : " worker";
        return ", " + n + what + (n == 1 ? "" : "s");
    }

    private List<Measurement> measure(ScenarioContext ctx, PathSubject subject, Outcomes o, List<Outcomes.Metric> metrics,
                                      Iperf3Runner iperf3, Map<String, String> params, int streams) {
        try (Topology t = Topology.create()) {
            PathSubject.Built built = subject.build(t);
            try (AutoCloseable _ = built.forwarder()) {
                Samples s = ctx.measure(subject.name() + " iperf3", d -> CpuPerByteMetrics.measure(THROUGHPUT, d,
                        Iperf3Runner.testSeconds(d), built.forwarderCpu(), dd -> iperf3.tcpGbps(built.path().genNs(),
                                built.path().sinkNs(), built.path().dstIp(), PORT, dd, streams)));
                String note = "iperf3, " + streams + (streams == 1 ? " stream" : " streams") + ", whole seconds"
                        + workers(subject);
                List<Measurement> out = new ArrayList<>();
                out.add(o.ok(THROUGHPUT, params, s, note));
                for (Outcomes.Metric m : metrics.subList(1, metrics.size())) {
                    out.add(o.ok(m, params, s, "over the iperf3 run, per GB of payload: bench process + iperf3 (/proc/self/stat), softirq + ksoftirqd; cpu_busy: whole machine"));
                }
                return out;
            }
        } catch (SideUnavailableException e) {
            return o.not(metrics, params, Status.UNAVAILABLE, e.getMessage());
        } catch (Exception e) {
            return o.not(metrics, params, Status.FAILED, Outcomes.reason(e));
        }
    }
}
