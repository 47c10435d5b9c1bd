package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.connrate.ConnectionRateResult;
import io.podswitch.perf.bench.connrate.FirstConnection;
import io.podswitch.perf.bench.connrate.ShortConnectionLoad;
import io.podswitch.perf.bench.side.PolicyNode;
import io.podswitch.perf.bench.side.PolicyRuleSet;
import io.podswitch.perf.bench.side.PolicySide;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.calico.CalicoPolicyNode;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;

/**
 * NetworkPolicy on one node: what a policy of 0, 10, 1,000 and 10,000 rules selecting the server pod costs
 * the client's traffic to it, and how long a policy change takes to be enforced — podswitch against the kernel
 * doing the same with the rules Calico's iptables data plane builds (iptables + ipset) and its nftables data
 * plane builds (nftables sets), each on its own node of namespaces with the same pods.
 *
 * <p>The policy ({@link PolicyRuleSet}): rule i allows TCP 8080/5201 from one address no pod has; the client is
 * allowed by the last rule (its pod selector), so a new connection from it is the worst case for a rule list.
 * Per subject and size: short-connection rate and connect+reply latency (p50/p99), where every connection is a
 * new one the policy judges; iperf3 TCP throughput (one stream: per-packet cost on established traffic); and the
 * update latency — from the start of the change that lets the client in (podswitch: its cluster file changed as
 * the kubelet changes a ConfigMap volume, which the daemon's file watch reloads; the kernel: iptables-restore / nft
 * started) to the first connection that completes. The
 * change's input (the cluster file's text, the restore script) is rendered by the bench before the clock starts,
 * for every subject: rendering is the bench's work, not the enforcer's.
 */
public final class PolicyScenario implements Scenario {

    static final String NAME = "policy";
    static final String PODSWITCH = Measurement.PODSWITCH;
    static final Outcomes.Metric UPDATE = Outcomes.Metric.lower("update_latency", "ms");
    /** podswitch with {@code source: kubernetes}: the change arrives through the API server's watch. */
    static final String PODSWITCH_KUBERNETES = "podswitch-kubernetes";
    static final List<String> SUBJECTS = List.of(CalicoPolicyNode.Dataplane.IPTABLES.subject(),
            CalicoPolicyNode.Dataplane.NFTABLES.subject(), PODSWITCH, PODSWITCH_KUBERNETES);
    static final List<Integer> SIZES = List.of(0, 10, 1_000, 10_000);
    static final List<Integer> SMOKE_SIZES = List.of(0, 10);
    private static final int UPDATES_PER_REPETITION = 3;
    /** Per update: from the change's start to the enforcer's answer (the rest is the data path taking it up). */
    private static final String ANSWERED = "update_answered_ms";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "NetworkPolicy with 0/10/1,000/10,000 rules: connection rate, latency, throughput and update → enforced; "
                + "podswitch vs the kernel as Calico programs it (iptables + ipset, nftables)";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("ip", "ss", "iptables-restore", "ipset", "nft", "iperf3"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        int subjects = ClientServerSteps.selected(s, SUBJECTS);
        int sizes = 0;
        for (int size : s.smoke() ? SMOKE_SIZES : SIZES) {
            sizes += size == 0 ? 2 : 3;
        }
        return subjects * sizes;
    }

    static List<Integer> sizes(ScenarioContext ctx) {
        return ctx.smoke() ? SMOKE_SIZES : SIZES;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        Optional<Path> iperf3 = ctx.tool("iperf3", "apt-get install -y iperf3");
        return ClientServerSteps.eachSubject(ctx, NAME, SUBJECTS, o -> runSubject(ctx, o, iperf3),
                (o, status, reason) -> notMeasured(ctx, o, status, reason));
    }

    private List<Measurement> runSubject(ScenarioContext ctx, Outcomes o, Optional<Path> iperf3) {
        Optional<CalicoPolicyNode.Dataplane> dataplane = Arrays.stream(CalicoPolicyNode.Dataplane.values())
                .filter(d -> d.subject().equals(o.subject())).findFirst();
        String version = "";
        Optional<PolicySide> side = ServiceLoader.load(PolicySide.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.subject().equals(o.subject())).findFirst();
        if (dataplane.isPresent()) {
            for (String tool : dataplane.get() == CalicoPolicyNode.Dataplane.IPTABLES ? List.of("iptables-restore", "ipset")
                    : List.of("nft")) {
                Optional<Path> found = ctx.tool(tool, "apt-get install -y " + (tool.equals("nft") ? "nftables"
                        : tool.equals("ipset") ? "ipset" : "iptables"));
                if (found.isEmpty()) {
                    return notMeasured(ctx, o, Status.MISSING_TOOL, tool + " not installed");
                }
                String v = ClientServerSteps.version(found.get(), tool.equals("ipset") ? "version" : "--version");
                version = version.isEmpty() ? v : version + ", " + v;
            }
        } else if (side.isEmpty()) {
            return notMeasured(ctx, o, Status.UNAVAILABLE, PodswitchSides.unboundReason(PolicySide.class));
        }
        try (Topology t = Topology.create()) {
            PolicyNode node = dataplane.isPresent() ? CalicoPolicyNode.build(t, dataplane.get(), version)
                    : side.get().build(t, ctx.settings().cores());
            try (node; ShortConnectionLoad.Servers _ = ShortConnectionLoad.startServers(List.of(node.serverNs()),
                    PolicyRuleSet.PORT)) {
                ctx.note(o.subject() + ": " + node.implementation());
                List<Measurement> out = new ArrayList<>();
                for (int size : sizes(ctx)) {
                    out.addAll(size(ctx, o, node, size, iperf3));
                }
                return out;
            }
        } catch (SideUnavailableException e) {
            return notMeasured(ctx, o, Status.UNAVAILABLE, e.getMessage());
        } catch (Exception e) {
            return notMeasured(ctx, o, Status.FAILED, Outcomes.reason(e));
        }
    }

    private List<Measurement> size(ScenarioContext ctx, Outcomes o, PolicyNode node, int size, Optional<Path> iperf3) {
        Map<String, String> params = Outcomes.params("rules", Integer.toString(size));
        List<Measurement> out = new ArrayList<>();
        String programNote;
        try {
            node.program(new PolicyRuleSet(size, true));
            programNote = node.lastProgramNote();
            check(node);
        } catch (Exception e) {
            return notMeasured(o, size, Status.FAILED, Outcomes.reason(e));
        }
        out.addAll(connections(ctx, o, node, params, programNote));
        out.add(throughput(ctx, o, node, params, iperf3));
        if (size > 0) {
            out.add(update(ctx, o, node, size, params));
        }
        return out;
    }

    /** Before measuring: 20 connections from the client all answered (the policy lets it in). */
    private static void check(PolicyNode node) throws IOException {
        ConnectionRateResult r = ShortConnectionLoad.count(node.clientNs(), node.serverIp() + ":" + PolicyRuleSet.PORT, 2, 20);
        if (r.ok() != 20) {
            throw new IOException("policy check: 20 connections to " + node.serverIp() + " gave " + r.ok()
                    + " answers (refused " + r.refused() + ", timeouts " + r.timeouts() + ", errors " + r.errors() + ")");
        }
    }

    private List<Measurement> connections(ScenarioContext ctx, Outcomes o, PolicyNode node, Map<String, String> params,
                                          String programNote) {
        int parallel = ClientServerSteps.parallel(ctx);
        return ClientServerSteps.connections(ctx, o, "connections, " + params.get("rules") + " rules", node.clientNs(),
                node.serverIp() + ":" + PolicyRuleSet.PORT, params,
                (s, spread) -> "connect + request + reply + close, " + parallel + " in parallel, each a new connection the "
                        + "policy judges; failed attempts per repetition " + ClientServerSteps.join(s.get("failed"))
                        + (programNote.isEmpty() ? "" : "; " + programNote));
    }

    private Measurement throughput(ScenarioContext ctx, Outcomes o, PolicyNode node, Map<String, String> params,
                                   Optional<Path> iperf3) {
        return ClientServerSteps.throughput(ctx, o, "iperf3, " + params.get("rules") + " rules", iperf3, node.clientNs(),
                node.serverNs(), node.serverIp(), PolicyRuleSet.IPERF_PORT, 1, params,
                "iperf3, one stream: established traffic past the policy");
    }

    /**
     * Per repetition, {@value #UPDATES_PER_REPETITION} times: the policy without the client's rule, then the change
     * that adds it; the time from starting that change to the first connection that completes (median of the
     * repetition's updates).
     */
    private Measurement update(ScenarioContext ctx, Outcomes o, PolicyNode node, int size, Map<String, String> params) {
        try {
            Samples s = ctx.measure(o.subject() + " update, " + size + " rules", d -> {
                double[] ms = new double[ctx.smoke() ? 1 : UPDATES_PER_REPETITION];
                double[] answered = new double[ms.length];
                for (int i = 0; i < ms.length; i++) {
                    node.program(new PolicyRuleSet(size, false));
                    PolicyNode.Change allowClient = node.prepareUpdate(new PolicyRuleSet(size, true)); // rendered untimed
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    // A thread of its own: on 2 cores the common pool has one thread, and the Kubernetes subject's
                    // API client completes its requests there — the probe would hold the change back.
                    CompletableFuture<Long> first = CompletableFuture.supplyAsync(() ->
                            FirstConnection.await(node.clientNs(), node.serverIp(), PolicyRuleSet.PORT, deadline),
                            task -> Thread.ofPlatform().name("policy-probe").daemon().start(task));
                    Thread.sleep(50); // the probe is trying (and denied) before the change starts
                    long start = System.nanoTime();
                    allowClient.apply();
                    answered[i] = (System.nanoTime() - start) / 1e6;
                    long at = first.get();
                    if (at < 0) {
                        throw new IOException("no connection completed within 60 s of the change");
                    }
                    ms[i] = Math.max(0, at - start) / 1e6;
                }
                Arrays.sort(ms);
                Arrays.sort(answered);
                return Map.of(UPDATE.name(), ms[ms.length / 2], ANSWERED, answered[answered.length / 2]);
            }, false);
            String note = node.lastProgramNote();
            return o.ok(UPDATE, params, s, "change started → first new connection completes (a fresh attempt every "
                    + "millisecond); median of " + UPDATES_PER_REPETITION + " updates per repetition; the enforcer "
                    + "answered (ConfigMap swapped, or reload answered / restore tool exited) after "
                    + medianOf(s.get(ANSWERED)) + " ms"
                    + (note.isEmpty() ? "" : "; " + note));
        } catch (Exception e) {
            return o.not(UPDATE, params, Status.FAILED, Outcomes.reason(e));
        }
    }

    /** "12.3" (the median of the repetitions' values), for a note. */
    private static String medianOf(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format(java.util.Locale.ROOT, "%.3g", sorted[sorted.length / 2]);
    }

    private static List<Measurement> notMeasured(ScenarioContext ctx, Outcomes o, Status status, String reason) {
        List<Measurement> out = new ArrayList<>();
        for (int size : sizes(ctx)) {
            out.addAll(notMeasured(o, size, status, reason));
        }
        return out;
    }

    /** One size's metrics, not measured. */
    private static List<Measurement> notMeasured(Outcomes o, int size, Status status, String reason) {
        Map<String, String> params = Outcomes.params("rules", Integer.toString(size));
        List<Measurement> out = new ArrayList<>(ClientServerSteps.notConnections(o, params, status, reason));
        out.add(o.not(ClientServerSteps.THROUGHPUT, params, status, reason));
        if (size > 0) {
            out.add(o.not(UPDATE, params, status, reason));
        }
        return out;
    }
}
