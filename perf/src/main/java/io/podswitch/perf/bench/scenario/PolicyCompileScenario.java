package io.podswitch.perf.bench.scenario;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import io.podswitch.daemon.policy.PolicyCompiler;
import io.podswitch.daemon.policy.PolicyManager;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.policy.PolicyTables;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What a NetworkPolicy change costs the control plane (docs/network-policy.md, "What a change costs"): the
 * {@code PolicyManager} of one node (100 local pods in its /24) compiles N policies over M pods of the cluster
 * in this JVM — the whole compilation (initial sync), then single changes each applied as the API source applies
 * them (one {@code PolicyManager.apply} batch, compile + publish): a pod relabelled, a pod added, a policy
 * edited (p50/p99 over the changes). Every change recompiles the node's whole tables today, so the figures are
 * the cost incremental compilation would cut. No root, no tools; no baseline (the kernel subjects of the
 * {@code policy} scenario measure their rule updates end to end, see there).
 */
public final class PolicyCompileScenario implements Scenario {

    static final String NAME = "policy-compile";
    static final int LOCAL_PODS = 100;
    static final int NAMESPACES = 50;
    static final int APPS = 100;
    static final int CHANGES = 60;
    /** (policies, pods) of the cluster. */
    static final List<int[]> SIZES = List.of(new int[] {10, 1_000}, new int[] {1_000, 1_000},
            new int[] {100, 10_000}, new int[] {1_000, 10_000});
    static final List<int[]> SMOKE_SIZES = List.of(new int[] {10, 200});
    static final Outcomes.Metric FULL = Outcomes.Metric.lower("full_compile", "ms");
    static final Outcomes.Metric POD_RELABEL = Outcomes.Metric.lower("pod_relabel", "ms");
    static final Outcomes.Metric POD_ADD = Outcomes.Metric.lower("pod_add", "ms");
    static final Outcomes.Metric POLICY_EDIT = Outcomes.Metric.lower("policy_edit", "ms");
    private static final List<Outcomes.Metric> METRICS = List.of(FULL, POD_RELABEL, POD_ADD, POLICY_EDIT);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "NetworkPolicy compilation on one node: full compile and one pod relabel/add/policy edit → tables "
                + "published, N policies × M pods";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(false, List.of());
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return s.sideSelected(Measurement.PODSWITCH) ? (s.smoke() ? SMOKE_SIZES : SIZES).size() : 0;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) {
        List<Measurement> out = new ArrayList<>();
        Outcomes o = new Outcomes(NAME, Measurement.PODSWITCH);
        for (int[] size : ctx.smoke() ? SMOKE_SIZES : SIZES) {
            Map<String, String> params = Outcomes.params("policies", Integer.toString(size[0]), "pods",
                    Integer.toString(size[1]), "local_pods", Integer.toString(LOCAL_PODS));
            if (!ctx.settings().sideSelected(Measurement.PODSWITCH)) {
                out.addAll(o.not(METRICS, params, Status.SKIPPED, "not selected (--side)"));
                continue;
            }
            int changes = ctx.smoke() ? 5 : CHANGES;
            try {
                Samples s = ctx.measure("policy compile, " + size[0] + " policies × " + size[1] + " pods",
                        d -> new Run(size[0], size[1], ctx.settings().seed()).measure(changes));
                String note = "in-process PolicyManager, one node with " + LOCAL_PODS + " local pods; changes: median "
                        + "of " + changes + " per repetition, each one apply() batch (compile + publish)";
                for (Outcomes.Metric m : METRICS) {
                    out.add(o.ok(m, params, s, note));
                }
            } catch (OutOfMemoryError e) {
                out.addAll(o.not(METRICS, params, Status.FAILED, "out of memory: " + e.getMessage() + " (raise -Xmx)"));
            } catch (Exception e) {
                out.addAll(o.not(METRICS, params, Status.FAILED, Outcomes.reason(e)));
            }
        }
        return out;
    }

    /**
     * One workload: pods in {@value #NAMESPACES} namespaces (label {@code team=t<i%10>}) with labels
     * {@code app=a<j%100>} and {@code role=r<j%20>}; the first {@value #LOCAL_PODS} are on this node (10.0.0.0/24).
     * Policy k, in namespace k%50, selects {@code app=a<k%100>} and allows from {@code role=r<k%20>} pods of the
     * {@code team=t<k%10>} namespaces to TCP 80 and 8080-8090 — and, every fifth, from 192.168.<k>.0/24 except a /28.
     */
    static final class Run {
        private final int policies;
        private final int pods;
        private final Random random;
        private final PolicyManager manager;
        private final List<PodInfo> podList = new ArrayList<>();
        private final List<NetworkPolicy> policyList = new ArrayList<>();

        Run(int policies, int pods, long seed) {
            this.policies = policies;
            this.pods = pods;
            this.random = new Random(seed);
            PolicyTables tables = new PolicyTables(Math.max(2, policies + 2), 1);
            manager = new PolicyManager(tables, new PolicyCompiler.Node(List.of(Cidr.parse("10.0.0.0/24")),
                    List.of(Ip4Address.parse("10.0.0.1"))));
        }

        /** Full compile, then {@code changes} of each kind: their times in ms (the changes' medians). */
        Map<String, Double> measure(int changes) {
            List<NamespaceInfo> ns = new ArrayList<>();
            for (int i = 0; i < NAMESPACES; i++) {
                ns.add(NamespaceInfo.of(namespace(i), Map.of("team", "t" + i % 10)));
            }
            for (int j = 0; j < pods; j++) {
                podList.add(pod(j, "a" + j % APPS));
            }
            for (int k = 0; k < policies; k++) {
                policyList.add(policy(k, 80));
            }
            long start = System.nanoTime();
            manager.replaceAll(ns, podList, policyList);
            double full = (System.nanoTime() - start) / 1e6;
            double[] relabel = new double[changes];
            double[] add = new double[changes];
            double[] edit = new double[changes];
            for (int c = 0; c < changes; c++) {
                int j = random.nextInt(pods);
                PodInfo relabelled = pod(j, "a" + random.nextInt(APPS));
                relabel[c] = timed(new PolicyManager.Changes(List.of(), List.of(), List.of(relabelled), List.of(),
                        List.of(), List.of()));
                add[c] = timed(new PolicyManager.Changes(List.of(), List.of(), List.of(pod(pods + c, "a" + c % APPS)),
                        List.of(), List.of(), List.of()));
                int k = random.nextInt(policies);
                edit[c] = timed(new PolicyManager.Changes(List.of(), List.of(), List.of(), List.of(),
                        List.of(policy(k, 81 + c % 100)), List.of()));
            }
            return Map.of(FULL.name(), full, POD_RELABEL.name(), median(relabel), POD_ADD.name(), median(add),
                    POLICY_EDIT.name(), median(edit));
        }

        private double timed(PolicyManager.Changes change) {
            long start = System.nanoTime();
            manager.apply(change);
            return (System.nanoTime() - start) / 1e6;
        }

        private static double median(double[] v) {
            double[] s = v.clone();
            Arrays.sort(s);
            return s[s.length / 2];
        }

        private static String namespace(int i) {
            return "ns" + i;
        }

        /** Pod j: local for j < 100 (10.0.0.2..), else 10.(1 + j / 65,000).x.y on another node. */
        private static PodInfo pod(int j, String app) {
            IpAddress ip = j < LOCAL_PODS ? Ip4Address.of(10, 0, 0, 2 + j)
                    : Ip4Address.of(10, 1 + j / 65_000, (j / 250) % 256, 1 + j % 250);
            return new PodInfo(new NamespacedName(namespace(j % NAMESPACES), "p" + j),
                    Map.of("app", app, "role", "r" + j % 20), List.of(ip), j < LOCAL_PODS ? "this" : "other", false,
                    List.of());
        }

        private static NetworkPolicy policy(int k, int port) {
            List<PolicyPeer> from = new ArrayList<>();
            from.add(new PolicyPeer.Pods(LabelSelector.of(Map.of("team", "t" + k % 10)),
                    LabelSelector.of(Map.of("role", "r" + k % 20))));
            if (k % 5 == 0) {
                from.add(new PolicyPeer.IpBlock(Cidr.parse("192.168." + k % 256 + ".0/24"),
                        List.of(Cidr.parse("192.168." + k % 256 + ".16/28"))));
            }
            PolicyRule rule = new PolicyRule(from, List.of(PolicyPort.number(Protocol.TCP, port),
                    PolicyPort.range(Protocol.TCP, 8080, 8090)));
            return new NetworkPolicy(new NamespacedName(namespace(k % NAMESPACES), "np" + k),
                    LabelSelector.of(Map.of("app", "a" + k % APPS)), true, false, List.of(rule), List.of());
        }
    }
}
