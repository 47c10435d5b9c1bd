package io.podswitch.cluster;

import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.daemon.policy.NetpolCase;
import io.podswitch.daemon.policy.NetpolCase.Check;
import io.podswitch.daemon.policy.NetpolCase.Step;
import io.podswitch.daemon.policy.NetpolCases;
import io.podswitch.daemon.policy.NetpolWorld;
import io.podswitch.daemon.policy.Reachability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstream NetworkPolicy e2e truth tables run on a live cluster ({@link NetpolCases} over the nine pods of
 * {@link NetpolWorld}), whatever feeds the policies to the nodes: the cluster file reloaded
 * ({@code NetworkPolicyClusterPrivilegedTest}) or the Kubernetes API server ({@code
 * KubernetesNetworkPolicyPrivilegedTest}). Each step is handed to the caller's {@link StepApplier}, which returns
 * once the step is in force on every node; then every probe of the step runs from every pod to every pod (9×9,
 * both families at once, non-blocking sockets) and is compared with the expected table.
 */
final class NetpolTruthTables {
    private static final long TIMEOUT_MS = 1200;
    private static final long RETRY_TIMEOUT_MS = 3500;

    /** Puts a step's policies and labels in force on every node; returns when they are. */
    interface StepApplier {
        void apply(Step step) throws Exception;
    }

    private final Map<String, ClusterPod> pods;
    private final NetpolWorld world;
    private final boolean sctp = Files.exists(Path.of("/proc/sys/net/sctp"));

    /** @param pods "x/a" → the cluster pod wired as x/a */
    NetpolTruthTables(Map<String, ClusterPod> pods, NetpolWorld world) {
        this.pods = pods;
        this.world = world;
    }

    boolean sctp() {
        return sctp;
    }

    /** One table: every pair in each family, compared with the expectation; mismatches probed again, slower. */
    void verify(String label, Check check, List<IpFamily> families, List<String> failures) throws Exception {
        if (check.probe().protocol() == Protocol.SCTP && !sctp) {
            return;
        }
        boolean tcp = check.probe().protocol() != Protocol.UDP;
        List<NetpolProbes.Cell> cells = new ArrayList<>();
        Map<NetpolProbes.Cell, Boolean> expected = new LinkedHashMap<>();
        for (IpFamily family : families) {
            for (String from : NetpolWorld.allPods()) {
                for (String to : NetpolWorld.allPods()) {
                    if (!from.equals(to)) {
                        NetpolProbes.Cell cell = new NetpolProbes.Cell(from, pods.get(from).netns(), to,
                                world.address(to, family).toString());
                        cells.add(cell);
                        expected.put(cell, check.expected().get(from, to));
                    }
                }
            }
        }
        Map<NetpolProbes.Cell, NetpolProbes.Outcome> got = NetpolProbes.probe(cells, tcp, check.probe().port(), TIMEOUT_MS);
        for (int attempt = 0; attempt < 2; attempt++) {
            List<NetpolProbes.Cell> wrong = cells.stream().filter(c -> got.get(c).reached() != expected.get(c)).toList();
            if (wrong.isEmpty()) {
                break;
            }
            got.putAll(NetpolProbes.probe(wrong, tcp, check.probe().port(), RETRY_TIMEOUT_MS));
        }
        for (NetpolProbes.Cell c : cells) {
            NetpolProbes.Outcome o = got.get(c);
            if (o.reached() != expected.get(c)) {
                failures.add(label + " " + check.probe() + ": " + c.from() + " → " + c.to() + " (" + c.toAddress()
                        + ") expected " + (expected.get(c) ? "allowed" : "denied") + ", got " + o.detail());
            } else if (o.reached() && !o.detail().equals(c.to())) {
                failures.add(label + ": " + c.from() + " → " + c.to() + " was answered by " + o.detail());
            }
        }
    }

    /** What {@link #run} did. */
    record Summary(int cases, int tables, long seconds) {
    }

    /**
     * The baseline (no policy: everything open), then every selected case step by step in both families (ipBlock
     * cases, whose policies name addresses of one family, run their IPv6 variant as steps of their own), then a
     * step clearing everything.
     *
     * @param selected case names, comma-separated, or "all"
     */
    Summary run(String selected, StepApplier apply, List<String> failures) throws Exception {
        List<NetpolCase> v4 = NetpolCases.all(world, IpFamily.IPV4);
        List<NetpolCase> v6 = NetpolCases.all(world, IpFamily.IPV6);
        long start = System.nanoTime();
        int tables = 0;
        int cases = 0;
        // Everything open first: the baseline (and the neighbour caches warm).
        verify("no policy", new Check(new NetpolCase.Probe(Protocol.TCP, 80), Reachability.allowAll()),
                List.of(IpFamily.IPV4, IpFamily.IPV6), failures);
        for (int i = 0; i < v4.size(); i++) {
            NetpolCase c4 = v4.get(i);
            NetpolCase c6 = v6.get(i);
            if (!selected.equals("all") && !List.of(selected.split(",")).contains(c4.name())) {
                continue;
            }
            cases++;
            boolean samePolicies = policiesOf(c4).equals(policiesOf(c6));
            for (int s = 0; s < c4.steps().size(); s++) {
                Step step4 = c4.steps().get(s);
                apply.apply(step4);
                for (Check check : step4.checks()) {
                    verify(c4.name() + " / " + step4.description(), check,
                            samePolicies ? List.of(IpFamily.IPV4, IpFamily.IPV6) : List.of(IpFamily.IPV4), failures);
                    tables++;
                }
                if (!samePolicies) {
                    Step step6 = c6.steps().get(s);
                    apply.apply(step6);
                    for (Check check : step6.checks()) {
                        verify(c6.name() + " / " + step6.description() + " (IPv6)", check, List.of(IpFamily.IPV6), failures);
                        tables++;
                    }
                }
            }
        }
        apply.apply(new Step("cleared", List.of(), Map.of(), Map.of(), List.of()));
        return new Summary(cases, tables, (System.nanoTime() - start) / 1_000_000_000L);
    }

    private static List<NetworkPolicy> policiesOf(NetpolCase c) {
        List<NetworkPolicy> all = new ArrayList<>();
        for (Step s : c.steps()) {
            all.addAll(s.policies());
        }
        return all;
    }
}
