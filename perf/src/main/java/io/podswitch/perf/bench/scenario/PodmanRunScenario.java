package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.side.PodNetwork;
import io.podswitch.perf.bench.side.PodNetworkSide;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.runtime.BusyboxRootfs;
import io.podswitch.perf.runtime.Podman;
import io.podswitch.perf.stats.Percentiles;
import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pod start as a user meets it: {@code podman run --rm IMAGE true}, end to end (podman, conmon, runc,
 * the CNI ADD and DEL), on podswitch — podswitchd and the plugin as {@code install-cni} installs it
 * (launcher, AOT cache, the shipped conflist) — against podman's own bridge network (created with
 * {@code podman network create}: bridge + host-local + portmap + firewall + tuning, what podman users
 * get) and against {@code --network=none} (podman's floor without any CNI call). The three are run
 * <em>interleaved</em>, one container each in turn, so the machine's load hits them alike; a
 * repetition's figure is the median of its runs. IPv4 on both networks (podman's bridge default).
 */
public final class PodmanRunScenario implements Scenario {
    static final String NAME = "podman-run";
    static final Outcomes.Metric RUN = Outcomes.Metric.lower("podman_run_rm", "ms");
    static final String PODSWITCH_NET = "podswitch";
    static final String BRIDGE_NET = "podman-bridge";
    /** Subjects in run order: podswitch first (its network name is also its subject). */
    static final List<String> SUBJECTS = List.of(Measurement.PODSWITCH, "podman-bridge", "podman-none");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "podman run --rm end to end on podswitch vs podman's bridge network (and no network), interleaved";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("podman", "runc", "busybox (busybox-static)", "bridge (CNI plugin)"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 1;
    }

    static int runsPerRepetition(ScenarioContext ctx) {
        return ctx.smoke() ? 1 : 10;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        Map<String, String> params = Outcomes.params("runs", Integer.toString(runsPerRepetition(ctx)), "family", "IPv4");
        Optional<PodNetworkSide> side = ctx.sides().podNetwork();
        String missing = null;
        Status status = null;
        if (side.isEmpty()) {
            status = Status.UNAVAILABLE;
            missing = PodswitchSides.unboundReason(PodNetworkSide.class);
        } else if (!ctx.isRoot()) {
            status = Status.NEEDS_ROOT;
            missing = "podman run needs root here (rootful podman, CNI)";
        } else if (ctx.tool("podman", Podman.INSTALL_HINT).isEmpty() || ctx.tool("runc", Podman.INSTALL_HINT).isEmpty()) {
            status = Status.MISSING_TOOL;
            missing = "podman/runc not installed (" + Podman.INSTALL_HINT + ")";
        } else if (!Files.isRegularFile(BusyboxRootfs.BUSYBOX)) {
            status = Status.MISSING_TOOL;
            missing = "busybox-static not installed (" + BusyboxRootfs.INSTALL_HINT + ")";
        } else if (ctx.cniPlugin("bridge", Podman.INSTALL_HINT).isEmpty()) {
            status = Status.MISSING_TOOL;
            missing = "the reference CNI plugins are not installed (" + Podman.INSTALL_HINT + ")";
        }
        if (status != null) {
            return notMeasured(params, status, missing);
        }
        try (PodNetwork node = side.get().start("IPv4", 64);
             Podman podman = new Podman(Files.createTempDirectory("podswitch-bench-podman-"),
                     List.of(node.cniBinDir(), Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin")))) {
            String bridge = "psbr" + Long.toHexString(ctx.random().nextLong() & 0xffffL);
            try {
                podman.importBusybox();
                podman.addNetwork("10-podswitch.conflist", node.conflist(PODSWITCH_NET));
                int octet = 1 + ctx.random().nextInt(254);
                podman.ok("network", "create", "--driver", "bridge", "--subnet", "10.206." + octet + ".0/24", BRIDGE_NET);
                renameBridge(podman, bridge);
                return measure(ctx, podman, params);
            } finally {
                podman.close();
                Exec.exec(List.of("ip", "link", "del", bridge), Exec.DEFAULT_TIMEOUT);
            }
        } catch (SideUnavailableException e) {
            return notMeasured(params, Status.UNAVAILABLE, e.getMessage());
        } catch (Exception e) {
            return notMeasured(params, Status.FAILED, Outcomes.reason(e));
        }
    }

    /**
     * podman 4.3 names the bridge itself (cni-podmanN, N the first index its own config dir does not
     * use: cni-podman0 here, which the machine's default network may be using) and has no
     * {@code --interface-name} yet (4.4): rename it in the conflist podman wrote.
     */
    private static void renameBridge(Podman podman, String bridge) throws IOException {
        Path conflist = podman.confDir().resolve(BRIDGE_NET + ".conflist");
        String text = Files.readString(conflist);
        String renamed = text.replaceFirst("\"bridge\": \"cni-podman[0-9]+\"", "\"bridge\": \"" + bridge + "\"");
        if (renamed.equals(text)) {
            throw new IOException("podman's bridge network config names no cni-podmanN bridge: " + conflist);
        }
        Files.writeString(conflist, renamed);
    }

    private List<Measurement> measure(ScenarioContext ctx, Podman podman, Map<String, String> params) throws Exception {
        int runs = runsPerRepetition(ctx);
        Samples samples = ctx.measure(runs + " runs per network, interleaved", duration -> {
            // the warm-up trial and every repetition: the same interleaved batch
            Map<String, List<Double>> ms = new LinkedHashMap<>();
            for (int i = 0; i < runs; i++) {
                for (String subject : SUBJECTS) {
                    String network = subject.equals(Measurement.PODSWITCH) ? PODSWITCH_NET
                            : subject.equals("podman-bridge") ? BRIDGE_NET : "none";
                    long start = System.nanoTime();
                    podman.ok("run", "--rm", "--network=" + network, Podman.IMAGE, "true");
                    ms.computeIfAbsent(subject, k -> new ArrayList<>()).add((System.nanoTime() - start) / 1e6);
                }
            }
            Map<String, Double> v = new LinkedHashMap<>();
            for (var e : ms.entrySet()) {
                v.put(e.getKey(), Percentiles.of(e.getValue().stream().mapToDouble(Double::doubleValue).toArray(), 50));
            }
            return v;
        });
        List<Measurement> out = new ArrayList<>();
        for (String subject : SUBJECTS) {
            out.add(new Outcomes(NAME, subject).ok(RUN, params, samples.get(subject),
                    "median of " + runs + " runs per repetition, networks interleaved run by run"));
        }
        return out;
    }

    private static List<Measurement> notMeasured(Map<String, String> params, Status status, String reason) {
        List<Measurement> out = new ArrayList<>();
        for (String subject : SUBJECTS) {
            out.add(new Outcomes(NAME, subject).not(RUN, params, status, reason));
        }
        return out;
    }
}
