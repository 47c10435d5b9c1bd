package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.CniPluginRunner;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.side.CniSide;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.stats.Percentiles;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CNI ADD and DEL latency for a batch of pods (100; 3 in smoke mode): each repetition creates the
 * pods' namespaces (not timed), times ADD for every pod, then DEL for every pod. podswitch runs as a
 * node runs it (the launcher and AOT cache {@code install-cni} installed); {@code podswitchd-api} is
 * the same requests sent straight to the daemon (its share of the time). Baseline: the reference
 * {@code bridge} plugin with {@code host-local} IPAM, executed exactly as a runtime would.
 */
public final class CniScenario implements Scenario {

    static final String NAME = "cni";
    static final Outcomes.Metric ADD_MEDIAN = Outcomes.Metric.lower("add_latency_p50", "ms");
    static final Outcomes.Metric ADD_P99 = Outcomes.Metric.lower("add_latency_p99", "ms");
    static final Outcomes.Metric DEL_MEDIAN = Outcomes.Metric.lower("del_latency_p50", "ms");
    static final List<Outcomes.Metric> METRICS = List.of(ADD_MEDIAN, ADD_P99, DEL_MEDIAN);
    /** The same requests straight on podswitchd's socket: the daemon's share, without the plugin's JVM. */
    static final String DAEMON_ALONE = "podswitchd-api";

    /** ADD and DEL of one pod, whoever implements them. */
    private interface Plugin {
        void add(String id, Path netns) throws Exception;

        void del(String id, Path netns) throws Exception;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "CNI ADD/DEL latency for 100 pods; baseline the reference bridge + host-local plugins";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("bridge (CNI plugin)", "host-local (CNI plugin)", "ip"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 2;
    }

    static int pods(ScenarioContext ctx) {
        return ctx.smoke() ? 3 : 100;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        List<Measurement> out = new ArrayList<>();
        Map<String, String> params = Outcomes.params("pods", Integer.toString(pods(ctx)));
        Outcomes podswitch = new Outcomes(NAME, Measurement.PODSWITCH);
        Optional<CniSide> side = ctx.sides().cni();
        if (side.isEmpty()) {
            out.addAll(podswitch.not(METRICS, params, Status.UNAVAILABLE, PodswitchSides.unboundReason(CniSide.class)));
        } else if (!ctx.isRoot()) {
            out.addAll(podswitch.not(METRICS, params, Status.NEEDS_ROOT, "pod namespaces need root"));
        } else {
            CniSide cni = side.get();
            List<Measurement> measured = new ArrayList<>(measure(ctx, podswitch, params, plugin(cni)));
            Optional<CniSide> alone = cni.daemonAlone();
            if (alone.isPresent()) {
                measured.addAll(measure(ctx, new Outcomes(NAME, DAEMON_ALONE), params, plugin(alone.get())));
            }
            try {
                cni.finish();
                out.addAll(measured);
            } catch (Exception e) {
                out.addAll(podswitch.not(METRICS, params, Status.FAILED, "stopping: " + Outcomes.reason(e)));
            }
        }
        out.addAll(bridgeBaseline(ctx, params));
        return out;
    }

    private static Plugin plugin(CniSide cni) {
        return new Plugin() {
            @Override
            public void add(String id, Path netns) throws Exception {
                cni.add(id, netns, "eth0");
            }

            @Override
            public void del(String id, Path netns) throws Exception {
                cni.del(id, netns, "eth0");
            }
        };
    }

    private List<Measurement> bridgeBaseline(ScenarioContext ctx, Map<String, String> params) throws IOException {
        Outcomes o = new Outcomes(NAME, "cni-bridge");
        Optional<Path> bridge = ctx.cniPlugin("bridge", "apt-get install -y containernetworking-plugins");
        Optional<Path> hostLocal = ctx.cniPlugin("host-local", "apt-get install -y containernetworking-plugins");
        if (bridge.isEmpty() || hostLocal.isEmpty()) {
            return o.not(METRICS, params, Status.MISSING_TOOL,
                    "reference CNI plugins not installed (apt-get install -y containernetworking-plugins)");
        }
        if (!ctx.isRoot()) {
            return o.not(METRICS, params, Status.NEEDS_ROOT, "pod namespaces need root");
        }
        if (!bridge.get().getParent().equals(hostLocal.get().getParent())) {
            return o.not(METRICS, params, Status.MISSING_TOOL, "bridge and host-local are not in the same CNI_PATH directory");
        }
        Path ipam = Files.createTempDirectory("podswitch-bench-ipam-");
        String bridgeName = "psbr" + Long.toHexString(ctx.random().nextLong() & 0xffffL);
        try {
            CniPluginRunner runner = new CniPluginRunner(bridge.get(), CniPluginRunner.bridgeConfig(
                    "podswitch-bench", bridgeName, "10.202.0.0/16", ipam));
            return measure(ctx, o, params, new Plugin() {
                @Override
                public void add(String id, Path netns) throws Exception {
                    runner.add(id, netns, "eth0");
                }

                @Override
                public void del(String id, Path netns) throws Exception {
                    runner.del(id, netns, "eth0");
                }
            });
        } finally {
            CniPluginRunner.deleteBridge(bridgeName);
            try (Stream<Path> files = Files.walk(ipam)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private List<Measurement> measure(ScenarioContext ctx, Outcomes o, Map<String, String> params, Plugin plugin) {
        int pods = pods(ctx);
        try {
            Samples s = ctx.measure(o.subject() + " " + pods + " pods", d -> {
                try (Topology t = Topology.create()) {
                    List<String> namespaces = new ArrayList<>();
                    for (int i = 0; i < pods; i++) {
                        namespaces.add(t.netns("p" + i));
                    }
                    double[] add = new double[pods];
                    double[] del = new double[pods];
                    for (int i = 0; i < pods; i++) {
                        long start = System.nanoTime();
                        plugin.add(namespaces.get(i), Path.of("/var/run/netns", namespaces.get(i)));
                        add[i] = (System.nanoTime() - start) / 1e6;
                    }
                    for (int i = 0; i < pods; i++) {
                        long start = System.nanoTime();
                        plugin.del(namespaces.get(i), Path.of("/var/run/netns", namespaces.get(i)));
                        del[i] = (System.nanoTime() - start) / 1e6;
                    }
                    Map<String, Double> v = new LinkedHashMap<>();
                    v.put(ADD_MEDIAN.name(), Percentiles.of(add, 50));
                    v.put(ADD_P99.name(), Percentiles.of(add, 99));
                    v.put(DEL_MEDIAN.name(), Percentiles.of(del, 50));
                    return v;
                }
            });
            List<Measurement> out = new ArrayList<>();
            for (Outcomes.Metric m : METRICS) {
                out.add(o.ok(m, params, s, "over " + pods + " pods per repetition"));
            }
            return out;
        } catch (SideUnavailableException e) {
            return o.not(METRICS, params, Status.UNAVAILABLE, e.getMessage());
        } catch (Exception e) {
            return o.not(METRICS, params, Status.FAILED, Outcomes.reason(e));
        }
    }
}
