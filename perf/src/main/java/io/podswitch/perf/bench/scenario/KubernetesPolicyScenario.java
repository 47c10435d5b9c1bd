package io.podswitch.perf.bench.scenario;

import io.podswitch.daemon.json.NodeReader;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.kubernetes.ApiTopology;
import io.podswitch.perf.kubernetes.PolicyScaleCluster;
import io.podswitch.perf.kubernetes.ScaleCluster;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.sides.PodswitchdKubernetesProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What NetworkPolicy's inputs cost podswitchd with {@code source: kubernetes} at 100,000 pods (issues 12/13): a
 * real podswitchd (bin/podswitchd's JVM flags) in a node namespace watches the test API server, which serves
 * 100,000 Pods, 1,000 Namespaces and 1,000 NetworkPolicies ({@link PolicyScaleCluster}; lists rendered in bulk,
 * see {@link io.podswitch.testapi.BulkLists}) and this node's Node object — twice in one run: pods as minimal JSON
 * (~2 KB), then as a real kube-apiserver lists them (~7 KB, managedFields and all; {@code pod_json} in the
 * parameters). Per repetition, from the daemon's launch:
 *
 * <ul>
 *   <li>{@code pods_listed} — until the pod informer reports its first list in (the list read, deserialized and
 *       cut down to the slim copies the cache keeps);</li>
 *   <li>{@code initial_sync} — until {@code GET /v1/status} reports every informer synced and the policy engine
 *       holding every pod, namespace and policy: the policy tables compiled and published to the data path;</li>
 *   <li>{@code policy_batch} / {@code policy_compile} — the reconciler's batch that applied the initial lists
 *       (translation, compilation, publication) and the compilation in it, from the daemon's log;</li>
 *   <li>{@code peak_resident_memory} (the process's RSS high-water mark: the list's transient peak included),
 *       {@code resident_memory} after the sync, {@code heap_committed} before any full GC (how far the heap
 *       grew from -Xms for the transient load) and {@code heap_used} after a full GC (what stays).</li>
 * </ul>
 *
 * No baseline runs here (no kube-apiserver, Calico or Cilium); the heap a plain informer would hold for the same
 * pods is PodMemory's figure (docs/benchmarks.md). Smoke: 1,000 pods.
 */
public final class KubernetesPolicyScenario implements Scenario {
    static final String NAME = "kubernetes-policy";
    static final Outcomes.Metric LISTED = Outcomes.Metric.lower("pods_listed", "s");
    static final Outcomes.Metric SYNC = Outcomes.Metric.lower("initial_sync", "s");
    static final Outcomes.Metric BATCH = Outcomes.Metric.lower("policy_batch", "ms");
    static final Outcomes.Metric COMPILE = Outcomes.Metric.lower("policy_compile", "ms");
    static final Outcomes.Metric PEAK_RSS = Outcomes.Metric.lower("peak_resident_memory", "MiB");
    static final Outcomes.Metric RSS = Outcomes.Metric.lower("resident_memory", "MiB");
    static final Outcomes.Metric HEAP_COMMITTED = Outcomes.Metric.lower("heap_committed", "MiB");
    static final Outcomes.Metric HEAP = Outcomes.Metric.lower("heap_used", "MiB");
    static final List<Outcomes.Metric> METRICS = List.of(LISTED, SYNC, BATCH, COMPILE, PEAK_RSS, RSS, HEAP_COMMITTED, HEAP);
    private static final Duration SYNC_LIMIT = Duration.ofMinutes(5);
    /** ClusterPolicy's log line of a batch: "… → generation G (P policies, N pods; compiled in C ms, batch B ms)". */
    private static final Pattern BATCH_LINE = Pattern.compile(
            "generation \\d+ \\((\\d+) policies, (\\d+) pods; compiled in (\\d+) ms, batch (\\d+) ms\\)");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "source: kubernetes with 100,000 pods, 1,000 namespaces, 1,000 NetworkPolicies: initial list and "
                + "policy tables, time and memory, pods as minimal and as realistic JSON (no baseline runs here)";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("ip"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return PolicyScaleCluster.PodJson.values().length;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        List<Measurement> out = new ArrayList<>();
        Outcomes podswitch = new Outcomes(NAME, Measurement.PODSWITCH);
        for (PolicyScaleCluster.PodJson json : PolicyScaleCluster.PodJson.values()) {
            PolicyScaleCluster cluster = new PolicyScaleCluster(ctx.smoke() ? 1000 : 100_000, json);
            Map<String, String> params = Outcomes.params("pods", Integer.toString(cluster.pods()), "pod_json",
                    json.name().toLowerCase(Locale.ROOT), "pod_bytes", Integer.toString(json.render(54_321).length()),
                    "namespaces", Integer.toString(cluster.namespaces()), "policies", Integer.toString(cluster.policies()),
                    "localPods", Integer.toString(cluster.localPods()));
            if (!ctx.isRoot()) {
                out.addAll(podswitch.not(METRICS, params, Status.NEEDS_ROOT, "the daemon runs in a network namespace"));
                continue;
            }
            try (ApiTopology topology = ApiTopology.start()) {
                ScaleCluster.createSelf(topology.client());
                cluster.serveOn(topology.api().dispatcher().bulkLists(), "1");
                Samples samples = ctx.measure("sync " + json.name().toLowerCase(Locale.ROOT),
                        d -> trial(ctx, topology, cluster), false);
                for (Outcomes.Metric m : METRICS) {
                    out.add(podswitch.ok(m, params, samples, json == PolicyScaleCluster.PodJson.MINIMAL
                            ? "pods ~2 KB of JSON each, no managedFields; podswitchd lists in pages of 500"
                            : "pods ~7 KB of JSON each, as kube-apiserver lists them (managedFields, probes, env); "
                            + "podswitchd lists in pages of 500"));
                }
            } catch (Exception e) {
                out.addAll(podswitch.not(METRICS, params, Status.FAILED, Outcomes.reason(e)));
            }
        }
        return out;
    }

    private static Map<String, Double> trial(ScenarioContext ctx, ApiTopology topology, PolicyScaleCluster cluster)
            throws Exception {
        Path daemonDir = topology.dir().resolve("daemon-" + System.nanoTime());
        long t0 = System.nanoTime();
        try (PodswitchdKubernetesProcess daemon = PodswitchdKubernetesProcess.start(topology.node(), ScaleCluster.SELF,
                ScaleCluster.configYaml(topology.kubeconfig().toString()), daemonDir)) {
            long[] listedAt = {0};
            daemon.awaitKubernetesStatus(k -> {
                if (listedAt[0] == 0 && podsListed(k)) {
                    listedAt[0] = System.nanoTime();
                }
                return programmed(k, cluster);
            }, SYNC_LIMIT);
            double sync = (System.nanoTime() - t0) / 1e9;
            Map<String, Double> values = new LinkedHashMap<>();
            values.put(LISTED.name(), (listedAt[0] - t0) / 1e9);
            values.put(SYNC.name(), sync);
            Batch batch = firstFullBatch(daemon.fullLog(), cluster);
            values.put(BATCH.name(), batch.batchMillis());
            values.put(COMPILE.name(), batch.compileMillis());
            values.put(PEAK_RSS.name(), daemon.peakResidentBytes() / 1048576.0);
            values.put(RSS.name(), daemon.residentBytes() / 1048576.0);
            values.put(HEAP_COMMITTED.name(), daemon.heapCommittedBytes() / 1048576.0);
            values.put(HEAP.name(), daemon.heapUsedBytes(true) / 1048576.0);
            ctx.note(String.format("pods listed %.1f s, synced %.1f s (batch %.0f ms, compile %.0f ms); RSS peak %.0f MiB, "
                    + "after %.0f MiB; heap committed %.0f MiB, used after GC %.0f MiB", values.get(LISTED.name()), sync,
                    values.get(BATCH.name()), values.get(COMPILE.name()), values.get(PEAK_RSS.name()),
                    values.get(RSS.name()), values.get(HEAP_COMMITTED.name()), values.get(HEAP.name())));
            return values;
        }
    }

    private static boolean podsListed(NodeReader k) {
        for (NodeReader w : k.optionalObjectList("watches")) {
            if ("pods".equals(w.optionalString("resource")) && w.optionalBoolean("synced", false)) {
                return true;
            }
        }
        return false;
    }

    private static boolean programmed(NodeReader k, PolicyScaleCluster cluster) {
        NodeReader policy = k.optionalObject("policy");
        return k.optionalBoolean("synced", false) && policy != null
                && policy.optionalLong("pods", 0, Long.MAX_VALUE, 0) == cluster.pods()
                && policy.optionalLong("namespaces", 0, Long.MAX_VALUE, 0) == cluster.namespaces()
                && policy.optionalLong("networkPolicies", 0, Long.MAX_VALUE, 0) == cluster.policies();
    }

    /** A reconciler batch as the daemon logs it. */
    record Batch(double compileMillis, double batchMillis) {
    }

    /** The first batch that brought the policy engine to every pod and policy, from the daemon's log. */
    static Batch firstFullBatch(String log, PolicyScaleCluster cluster) throws IOException {
        Matcher m = BATCH_LINE.matcher(log);
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) == cluster.policies() && Integer.parseInt(m.group(2)) == cluster.pods()) {
                return new Batch(Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)));
            }
        }
        throw new IOException("no policy batch of " + cluster.pods() + " pods in the daemon's log: "
                + (log.length() > 2000 ? "…" + log.substring(log.length() - 2000) : log));
    }
}
