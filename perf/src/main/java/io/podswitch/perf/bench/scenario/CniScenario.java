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
import io.podswitch.perf.topo.Exec;
import io.podswitch.perf.topo.Topology;

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
 * CNI ADD and DEL latency for a batch of pods (100; 3 in smoke mode), every subject in the same
 * repetition, <em>interleaved pod by pod</em> so the machine's load hits them alike: each repetition
 * creates a netns per pod and subject (not timed), then for every pod times each subject's ADD, then
 * for every pod each subject's DEL. Subjects: podswitch as a node runs it (the launcher and AOT cache
 * {@code install-cni} installed; {@link CniSide}), {@code podswitchd-api} — the same requests straight
 * on the daemon's socket, the daemon's share — and the baseline {@code cni-bridge}: the reference
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
    static final String BRIDGE = "cni-bridge";
    static final String INSTALL_HINT = "apt-get install -y containernetworking-plugins";

    /** One CNI command for one pod, whoever implements it. */
    private interface Command {
        void run(String id, Path netns, String ifName) throws Exception;
    }

    /** ADD and DEL of one pod, whoever implements them. */
    private record Plugin(Command add, Command del) {
    }

    /** A subject to time, or the reason it cannot be. */
    private record Subject(String name, Plugin plugin, Status status, String reason) {
        static Subject of(String name, Plugin plugin) {
            return new Subject(name, plugin, Status.OK, null);
        }

        static Subject not(String name, Status status, String reason) {
            return new Subject(name, null, status, reason);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "CNI ADD/DEL latency for 100 pods, interleaved pod by pod; baseline the reference bridge + host-local plugins";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("bridge (CNI plugin)", "host-local (CNI plugin)", "ip"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 1;
    }

    static int pods(ScenarioContext ctx) {
        return ctx.smoke() ? 3 : 100;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        Map<String, String> params = Outcomes.params("pods", Integer.toString(pods(ctx)));
        List<Subject> subjects = new ArrayList<>();
        Optional<CniSide> side = ctx.sides().cni();
        if (side.isEmpty()) {
            subjects.add(Subject.not(Measurement.PODSWITCH, Status.UNAVAILABLE, PodswitchSides.unboundReason(CniSide.class)));
        } else if (!ctx.isRoot()) {
            subjects.add(Subject.not(Measurement.PODSWITCH, Status.NEEDS_ROOT, "pod namespaces need root"));
        } else {
            subjects.add(Subject.of(Measurement.PODSWITCH, plugin(side.get())));
            side.get().daemonAlone().ifPresent(alone -> subjects.add(Subject.of(DAEMON_ALONE, plugin(alone))));
        }
        Optional<Path> bridge = ctx.cniPlugin("bridge", INSTALL_HINT);
        Optional<Path> hostLocal = ctx.cniPlugin("host-local", INSTALL_HINT);
        Path ipam = Files.createTempDirectory("podswitch-bench-ipam-");
        String bridgeName = "psbr" + Long.toHexString(ctx.random().nextLong() & 0xffffL);
        if (bridge.isEmpty() || hostLocal.isEmpty()) {
            subjects.add(Subject.not(BRIDGE, Status.MISSING_TOOL, "reference CNI plugins not installed (" + INSTALL_HINT + ")"));
        } else if (!ctx.isRoot()) {
            subjects.add(Subject.not(BRIDGE, Status.NEEDS_ROOT, "pod namespaces need root"));
        } else if (!bridge.get().getParent().equals(hostLocal.get().getParent())) {
            subjects.add(Subject.not(BRIDGE, Status.MISSING_TOOL, "bridge and host-local are not in the same CNI_PATH directory"));
        } else {
            CniPluginRunner runner = new CniPluginRunner(bridge.get(), CniPluginRunner.bridgeConfig(
                    "podswitch-bench", bridgeName, "10.202.0.0/16", ipam));
            subjects.add(Subject.of(BRIDGE, new Plugin(runner::add, runner::del)));
        }
        try {
            return measure(ctx, params, subjects);
        } finally {
            if (side.isPresent()) {
                side.get().finish();
            }
            Exec.exec(List.of("ip", "link", "del", bridgeName), Exec.DEFAULT_TIMEOUT);
            try (Stream<Path> files = Files.walk(ipam)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Plugin plugin(CniSide cni) {
        return new Plugin(cni::add, cni::del);
    }

    private List<Measurement> measure(ScenarioContext ctx, Map<String, String> params, List<Subject> subjects) {
        int pods = pods(ctx);
        List<Subject> timed = subjects.stream().filter(s -> s.plugin() != null).toList();
        List<Measurement> out = new ArrayList<>();
        Samples samples = null;
        Status failed = Status.FAILED;
        String failure = null;
        if (!timed.isEmpty()) {
            try {
                samples = ctx.measure(pods + " pods, subjects interleaved pod by pod", d -> repetition(pods, timed));
            } catch (SideUnavailableException e) {
                failed = Status.UNAVAILABLE;
                failure = e.getMessage();
            } catch (Exception e) {
                failure = Outcomes.reason(e);
            }
        }
        for (Subject s : subjects) {
            Outcomes o = new Outcomes(NAME, s.name());
            if (s.plugin() == null) {
                out.addAll(o.not(METRICS, params, s.status(), s.reason()));
            } else if (samples == null) {
                out.addAll(o.not(METRICS, params, failed, failure));
            } else {
                for (Outcomes.Metric m : METRICS) {
                    out.add(o.ok(m, params, samples.get(s.name() + "/" + m.name()), "over " + pods
                            + " pods per repetition, subjects interleaved pod by pod"));
                }
            }
        }
        return out;
    }

    private static Map<String, Double> repetition(int pods, List<Subject> subjects) throws Exception {
        try (Topology t = Topology.create()) {
            Map<String, List<String>> namespaces = new LinkedHashMap<>();
            for (int s = 0; s < subjects.size(); s++) {
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < pods; i++) {
                    mine.add(t.netns("s" + s + "p" + i));
                }
                namespaces.put(subjects.get(s).name(), mine);
            }
            Map<String, double[]> add = new LinkedHashMap<>();
            Map<String, double[]> del = new LinkedHashMap<>();
            for (Subject s : subjects) {
                add.put(s.name(), new double[pods]);
                del.put(s.name(), new double[pods]);
            }
            for (int i = 0; i < pods; i++) {
                for (Subject s : subjects) {
                    String ns = namespaces.get(s.name()).get(i);
                    long start = System.nanoTime();
                    s.plugin().add().run(ns, Path.of("/var/run/netns", ns), "eth0");
                    add.get(s.name())[i] = (System.nanoTime() - start) / 1e6;
                }
            }
            for (int i = 0; i < pods; i++) {
                for (Subject s : subjects) {
                    String ns = namespaces.get(s.name()).get(i);
                    long start = System.nanoTime();
                    s.plugin().del().run(ns, Path.of("/var/run/netns", ns), "eth0");
                    del.get(s.name())[i] = (System.nanoTime() - start) / 1e6;
                }
            }
            Map<String, Double> v = new LinkedHashMap<>();
            for (Subject s : subjects) {
                v.put(s.name() + "/" + ADD_MEDIAN.name(), Percentiles.of(add.get(s.name()), 50));
                v.put(s.name() + "/" + ADD_P99.name(), Percentiles.of(add.get(s.name()), 99));
                v.put(s.name() + "/" + DEL_MEDIAN.name(), Percentiles.of(del.get(s.name()), 50));
            }
            return v;
        }
    }
}
