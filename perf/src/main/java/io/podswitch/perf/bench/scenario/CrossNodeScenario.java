package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.Iperf3Runner;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.side.CrossNodeSide;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.topo.CrossNodePath;
import io.podswitch.perf.topo.CrossNodeUnderlay;
import io.podswitch.perf.topo.FlannelVxlanTopology;
import io.podswitch.perf.topo.Topology;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Pod to pod across nodes over a VXLAN overlay: two node namespaces on an underlay bridge (uplink MTU
 * 1500), one pod on each; iperf3 from node 1's pod to node 2's — TCP with 1 and 4 streams, and an
 * unpaced stream of 64-byte UDP datagrams (packets per second the receiver got). Baseline in the same
 * run: the kernel's own overlay as flannel's vxlan backend builds it ({@link FlannelVxlanTopology}),
 * once as is (on veths the kernel's 64 KiB super-frames cross the underlay whole) and once with the
 * uplinks' segmentation offloads off (MTU-sized packets on the wire, as on a NIC without tunnel offload).
 * podswitch: podswitchd per node with {@code overlay.mode: vxlan}, once per uplink attachment
 * ({@code af_xdp}, {@code udp}, {@code tap}); the kernel figures are paired with each (the baseline has no such
 * setting, its runs are shared).
 */
public final class CrossNodeScenario implements Scenario {

    static final String NAME = "cross-node";
    static final String KERNEL_VXLAN = "kernel-vxlan";
    static final String KERNEL_VXLAN_SEGMENTED = "kernel-vxlan-segmented";
    static final Outcomes.Metric TCP = Outcomes.Metric.higher("tcp_throughput", "Gbit/s");
    static final Outcomes.Metric UDP = Outcomes.Metric.higher("udp_rate", "Mpps");
    /** podswitchd of the node the client pod (iperf3's sender) runs on: its whole process, per GB. */
    static final Outcomes.Metric SENDER_NODE = Outcomes.Metric.lower("sender_node_cpu_per_gb", "ms/GB");
    /** podswitchd of the server pod's node. */
    static final Outcomes.Metric RECEIVER_NODE = Outcomes.Metric.lower("receiver_node_cpu_per_gb", "ms/GB");
    static final int UPLINK_MTU = 1500;
    static final int UDP_PAYLOAD = 64;
    /**
     * The uplink attachments measured: all three, or those listed in {@code -Dpodswitch.bench.attach=a,b}
     * (PODSWITCH_JVM_FLAGS) for a shorter run.
     */
    static final List<String> ATTACH = List.of(System.getProperty("podswitch.bench.attach", "af_xdp,udp,tap")
            .split(","));
    private static final int PORT = 5201;

    /** One traffic step: a label, its metric and parameters, and how iperf3 runs it. */
    private record Step(String label, Outcomes.Metric metric, int streams) {
        boolean udp() {
            return metric == UDP;
        }

        /**
         * What the step reports: the rate, and for TCP the CPU per GB ({@link CpuPerByteMetrics}) — the
         * machine's for every subject, the podswitchd processes' (both, and per node) for podswitch.
         */
        List<Outcomes.Metric> metrics(boolean podswitch) {
            List<Outcomes.Metric> m = new ArrayList<>();
            m.add(metric);
            if (!udp()) {
                m.addAll(CpuPerByteMetrics.of(podswitch));
                if (podswitch) {
                    m.add(SENDER_NODE);
                    m.add(RECEIVER_NODE);
                }
            }
            return m;
        }

        Map<String, String> params(String attach) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("placement", "cross-node");
            p.put("mode", "vxlan");
            p.put("attach", attach);
            if (udp()) {
                p.put("udp_payload", Integer.toString(UDP_PAYLOAD));
            } else {
                p.put("streams", Integer.toString(streams));
            }
            return p;
        }
    }

    private static final List<Step> STEPS = List.of(new Step("tcp 1 stream", TCP, 1), new Step("tcp 4 streams", TCP, 4),
            new Step("udp 64B", UDP, 1));

    private final Optional<CrossNodeSide> side;

    public CrossNodeScenario() {
        this(CrossNodeSide.load());
    }

    CrossNodeScenario(Optional<CrossNodeSide> side) {
        this.side = side;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "iperf3 pod to pod across two nodes (TCP 1/4 streams, UDP 64 B pps) through podswitch vxlan; "
                + "baseline the kernel's vxlan overlay as flannel builds it";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("iperf3", "ip", "bridge"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return STEPS.size() * (2 + ATTACH.size());
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        Optional<Path> iperf3 = ctx.tool("iperf3", "apt-get install -y iperf3");
        List<Measurement> out = new ArrayList<>();
        Outcomes podswitch = new Outcomes(NAME, Measurement.PODSWITCH);
        String blocker = !ctx.isRoot() ? "namespaces and veths need root"
                : iperf3.isEmpty() ? "iperf3 not installed (apt-get install -y iperf3)" : null;
        Status blockerStatus = !ctx.isRoot() ? Status.NEEDS_ROOT : Status.MISSING_TOOL;
        if (blocker != null) {
            for (String attach : ATTACH) {
                for (Step s : STEPS) {
                    out.addAll(new Outcomes(NAME, KERNEL_VXLAN).not(s.metrics(false), s.params(attach), blockerStatus, blocker));
                    out.addAll(new Outcomes(NAME, KERNEL_VXLAN_SEGMENTED).not(s.metrics(false), s.params(attach), blockerStatus,
                            blocker));
                    out.addAll(podswitch.not(s.metrics(true), s.params(attach), blockerStatus, blocker));
                }
            }
            return out;
        }
        Iperf3Runner runner = new Iperf3Runner(iperf3.get());
        List<List<Measurement>> baselines = List.of(
                kernel(ctx, runner, KERNEL_VXLAN, false, "flannel-style vxlan, pod MTU 1450"),
                kernel(ctx, runner, KERNEL_VXLAN_SEGMENTED, true,
                        "flannel-style vxlan, pod MTU 1450, uplink TSO/GSO off (MTU-sized packets on the wire)"));
        for (String attach : ATTACH) {
            for (List<Measurement> baseline : baselines) {
                out.addAll(baseline.stream().filter(m -> m.parameters().get("attach").equals(attach)).toList());
            }
            out.addAll(podswitch(ctx, runner, podswitch, attach));
        }
        return out;
    }

    /** One kernel baseline: one topology for all its steps; its figures pair with every attachment. */
    private List<Measurement> kernel(ScenarioContext ctx, Iperf3Runner runner, String subject, boolean segment, String what) {
        Outcomes o = new Outcomes(NAME, subject);
        Map<Step, Samples> samples = new LinkedHashMap<>();
        Map<Step, String> failure = new LinkedHashMap<>();
        try (Topology t = Topology.create()) {
            CrossNodePath path = FlannelVxlanTopology.build(t, CrossNodeUnderlay.build(t, 2, UPLINK_MTU), segment);
            for (Step s : STEPS) {
                try {
                    samples.put(s, measure(ctx, runner, path, subject, s, Map.of()));
                } catch (Exception e) {
                    failure.put(s, Outcomes.reason(e));
                }
            }
        } catch (Exception e) {
            STEPS.forEach(s -> failure.put(s, Outcomes.reason(e)));
        }
        List<Measurement> out = new ArrayList<>();
        for (String attach : ATTACH) {
            for (Step s : STEPS) {
                out.addAll(failure.containsKey(s) ? o.not(s.metrics(false), s.params(attach), Status.FAILED, failure.get(s))
                        : ok(o, s, false, s.params(attach), samples.get(s), note(s, what)));
            }
        }
        return out;
    }

    private List<Measurement> podswitch(ScenarioContext ctx, Iperf3Runner runner, Outcomes o, String attach) {
        List<Measurement> out = new ArrayList<>();
        if (side.isEmpty()) {
            STEPS.forEach(s -> out.addAll(o.not(s.metrics(true), s.params(attach), Status.UNAVAILABLE,
                    PodswitchSides.unboundReason(CrossNodeSide.class))));
            return out;
        }
        try (Topology t = Topology.create();
             CrossNodeSide.Wiring w = side.get().connect(t, CrossNodeUnderlay.build(t, 2, UPLINK_MTU), "vxlan", attach)) {
            Map<Outcomes.Metric, LongSupplier> daemons = new LinkedHashMap<>();
            daemons.put(CpuPerByteMetrics.FORWARDER, w::cpuNanos);
            daemons.put(SENDER_NODE, () -> w.cpuNanos(1));
            daemons.put(RECEIVER_NODE, () -> w.cpuNanos(2));
            for (Step s : STEPS) {
                try {
                    out.addAll(ok(o, s, true, s.params(attach), measure(ctx, runner, w.path(), "podswitch " + attach, s, daemons),
                            note(s, "podswitchd vxlan, uplink attach " + attach)));
                } catch (Exception e) {
                    out.addAll(o.not(s.metrics(true), s.params(attach), Status.FAILED, Outcomes.reason(e)));
                }
            }
        } catch (SideUnavailableException e) {
            STEPS.forEach(s -> out.addAll(o.not(s.metrics(true), s.params(attach), Status.UNAVAILABLE, e.getMessage())));
        } catch (Exception e) {
            STEPS.forEach(s -> out.addAll(o.not(s.metrics(true), s.params(attach), Status.FAILED, Outcomes.reason(e))));
        }
        return out;
    }

    /**
     * One step's samples: the UDP rate, or the TCP rate with the CPU it cost ({@code processes}: the
     * podswitchd processes' CPU so far, by metric; none for the kernel).
     */
    private static Samples measure(ScenarioContext ctx, Iperf3Runner runner, CrossNodePath p, String who, Step s,
                                   Map<Outcomes.Metric, LongSupplier> processes) throws Exception {
        if (s.udp()) {
            return ctx.measure(who + " " + s.label(), d -> Map.of(s.metric().name(),
                    runner.udpMpps(p.clientNs(), p.serverNs(), p.serverIp(), PORT, d, UDP_PAYLOAD)));
        }
        // The podswitchd daemons run through the transfer (not reaped in it): their CPU is added to cpu_per_gb.
        LongSupplier daemons = processes.getOrDefault(CpuPerByteMetrics.FORWARDER, () -> 0L);
        return ctx.measure(who + " " + s.label(), d -> CpuPerByteMetrics.measure(TCP, d, Iperf3Runner.testSeconds(d),
                processes, daemons, dd -> runner.tcpGbps(p.clientNs(), p.serverNs(), p.serverIp(), PORT, dd, s.streams())));
    }

    /** The step's measurements from its samples: the rate with {@code note}, the CPU figures with where they come from. */
    private static List<Measurement> ok(Outcomes o, Step s, boolean podswitch, Map<String, String> params, Samples samples,
                                        String note) {
        List<Measurement> out = new ArrayList<>();
        out.add(o.ok(s.metric(), params, samples, note));
        for (Outcomes.Metric m : s.metrics(podswitch).subList(1, s.metrics(podswitch).size())) {
            out.add(o.ok(m, params, samples, m == SENDER_NODE || m == RECEIVER_NODE || m == CpuPerByteMetrics.FORWARDER
                    ? "the podswitchd process(es)' CPU (every thread, /proc/<pid>/stat) over the iperf3 run, per GB of payload"
                    : m == CpuPerByteMetrics.BUSY_SHARE ? "whole machine, /proc/stat over the iperf3 run"
                    : "over the iperf3 run, per GB of payload: iperf3 (reaped children, /proc/self/stat), softirq + ksoftirqd"
                            + (m == CpuPerByteMetrics.BUSY && podswitch ? ", + the podswitchd processes" : "")));
        }
        return out;
    }

    private static String note(Step s, String what) {
        return what + (s.udp() ? "; iperf3 -u -b 0 -l 64, datagrams received per second"
                : "; iperf3 TCP, " + s.streams() + " stream(s), receiver rate");
    }
}
