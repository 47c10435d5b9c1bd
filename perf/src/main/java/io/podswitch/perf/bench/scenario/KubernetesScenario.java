package io.podswitch.perf.bench.scenario;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podswitch.daemon.json.NodeReader;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.kubernetes.ApiTopology;
import io.podswitch.perf.kubernetes.ScaleCluster;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.sides.PodswitchdKubernetesProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * podswitchd with {@code source: kubernetes} at Kubernetes' scalability thresholds (issue 12): a real podswitchd
 * (bin/podswitchd's JVM flags) in a node namespace watches the test API server, which holds 5,000 Nodes,
 * 10,000 Services and 100,000 endpoints (one EndpointSlice of 10 per Service). Per repetition, from the
 * daemon's launch:
 *
 * <ul>
 *   <li>{@code initial_sync} — until {@code GET /v1/status} reports every node a peer, every service served and
 *       every informer synced: the data path programmed with the whole cluster;</li>
 *   <li>{@code resident_memory} (RSS: heap, frames, tables, code) and {@code heap_used} (after a full GC);</li>
 *   <li>{@code programming_latency_p50}/{@code _p99} — 1,000 EndpointSlice changes (a service gains a ready
 *       endpoint, stamped with {@code endpoints.kubernetes.io/last-change-trigger-time} as the EndpointSlice
 *       controller stamps it), 50 per second, each measured by the daemon from that time to the service being in
 *       its table (Kubernetes' network programming latency SLI).</li>
 * </ul>
 *
 * The API server is fabric8's mock in CRUD mode in this JVM (not a real kube-apiserver: it serves lists from
 * memory, faster than etcd would); kube-proxy cannot run here, so its published figure (KEP-3453: iptables
 * mode p50 13–27 s at 5,000 nodes) is the anchor, reported as not measured. Smoke: 50 nodes, 100 services,
 * 20 changes.
 */
public final class KubernetesScenario implements Scenario {
    static final String NAME = "kubernetes";
    static final Outcomes.Metric SYNC = Outcomes.Metric.lower("initial_sync", "s");
    static final Outcomes.Metric RSS = Outcomes.Metric.lower("resident_memory", "MiB");
    static final Outcomes.Metric HEAP = Outcomes.Metric.lower("heap_used", "MiB");
    static final Outcomes.Metric P50 = Outcomes.Metric.lower("programming_latency_p50", "ms");
    static final Outcomes.Metric P99 = Outcomes.Metric.lower("programming_latency_p99", "ms");
    static final List<Outcomes.Metric> METRICS = List.of(SYNC, RSS, HEAP, P50, P99);
    static final String KUBE_PROXY = "kube-proxy-iptables";
    private static final Duration SYNC_LIMIT = Duration.ofMinutes(10);
    private static final int CHANGES_PER_SECOND = 50;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "source: kubernetes at 5,000 nodes / 10,000 services / 100,000 endpoints: initial sync, memory, "
                + "network programming latency (anchor: kube-proxy iptables, KEP-3453)";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("ip"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 1;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        boolean smoke = ctx.smoke();
        ScaleCluster cluster = new ScaleCluster(smoke ? 50 : 5000, smoke ? 100 : 10_000, 10, ctx.random().nextLong());
        int changes = smoke ? 20 : 1000;
        Map<String, String> params = Outcomes.params("nodes", Integer.toString(cluster.nodes()), "services",
                Integer.toString(cluster.services()), "endpoints", Integer.toString(cluster.endpoints()), "changes",
                Integer.toString(changes));
        Outcomes podswitch = new Outcomes(NAME, Measurement.PODSWITCH);
        List<Measurement> out = new ArrayList<>();
        if (!ctx.isRoot()) {
            out.addAll(podswitch.not(METRICS, params, Status.NEEDS_ROOT, "the daemon runs in a network namespace"));
        } else {
            try (Bench bench = Bench.start(cluster, ctx)) {
                Samples samples = ctx.measure("sync+programming", d -> bench.trial(changes), false);
                String note = "API objects created in " + bench.createdSeconds + " s (test API server, not timed)";
                for (Outcomes.Metric m : METRICS) {
                    out.add(podswitch.ok(m, params, samples, note));
                }
            } catch (Exception e) {
                out.addAll(podswitch.not(METRICS, params, Status.FAILED, Outcomes.reason(e)));
            }
        }
        Outcomes kubeProxy = new Outcomes(NAME, KUBE_PROXY);
        out.add(kubeProxy.not(P50, params, Status.UNAVAILABLE, "no kube-apiserver or kube-proxy can run here; "
                + "KEP-3453 reports iptables mode p50 13-27 s at 5,000 nodes (SIG Scalability threshold 30 s)"));
        return out;
    }

    /** The topology and the API server, built once; one daemon per repetition. */
    private static final class Bench implements AutoCloseable {
        private final ScenarioContext ctx;
        private final ScaleCluster cluster;
        private final ApiTopology topology;
        private final KubernetesClient client;
        private long createdSeconds;

        private Bench(ScenarioContext ctx, ScaleCluster cluster, ApiTopology topology) {
            this.ctx = ctx;
            this.cluster = cluster;
            this.topology = topology;
            this.client = topology.client();
        }

        /** The topology ({@link ApiTopology}) and the cluster's objects on its API server. */
        static Bench start(ScaleCluster cluster, ScenarioContext ctx) throws Exception {
            Bench b = new Bench(ctx, cluster, ApiTopology.start());
            try {
                ctx.note("creating " + cluster.nodes() + " nodes, " + cluster.services() + " services, "
                        + cluster.endpoints() + " endpoints on the test API server");
                b.createdSeconds = Math.round(cluster.create(b.client, 4) / 1e9);
                return b;
            } catch (Exception | Error e) {
                b.close();
                throw e;
            }
        }

        /** One daemon from launch to synced, its memory, then {@code changes} slice changes and their latency. */
        Map<String, Double> trial(int changes) throws Exception {
            Path daemonDir = topology.dir().resolve("daemon-" + System.nanoTime());
            long t0 = System.nanoTime();
            try (PodswitchdKubernetesProcess daemon = PodswitchdKubernetesProcess.start(topology.node(), ScaleCluster.SELF,
                    ScaleCluster.configYaml(topology.kubeconfig().toString()), daemonDir)) {
                NodeReader status = daemon.awaitKubernetesStatus(this::programmed, SYNC_LIMIT);
                double syncSeconds = (System.nanoTime() - t0) / 1e9;
                ctx.note(String.format("synced in %.1f s", syncSeconds));
                double rss = daemon.residentBytes() / 1048576.0;
                double heap = daemon.heapUsedBytes(true) / 1048576.0;
                long before = latencyCount(daemon.kubernetesStatus());
                long gapNanos = 1_000_000_000L / CHANGES_PER_SECOND;
                long next = System.nanoTime();
                for (int k = 0; k < changes; k++) {
                    int s = cluster.randomService();
                    client.discovery().v1().endpointSlices().resource(cluster.scaledUp(s, Instant.now())).update();
                    next += gapNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                long latencyDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                NodeReader latency;
                do {
                    Thread.sleep(100);
                    status = daemon.kubernetesStatus();
                    latency = status == null ? null : status.optionalObject("programmingLatency");
                } while ((latency == null || latencyCount(status) < before + changes) && System.nanoTime() < latencyDeadline);
                if (latency == null || latencyCount(status) < before + changes) {
                    throw new IOException("only " + (latencyCount(status) - before) + " of " + changes
                            + " changes were programmed within 60 s: " + daemon.log());
                }
                Map<String, Double> values = new LinkedHashMap<>();
                values.put(SYNC.name(), syncSeconds);
                values.put(RSS.name(), rss);
                values.put(HEAP.name(), heap);
                values.put(P50.name(), latency.optionalLong("p50Micros", 0, Long.MAX_VALUE, 0) / 1000.0);
                values.put(P99.name(), latency.optionalLong("p99Micros", 0, Long.MAX_VALUE, 0) / 1000.0);
                ctx.note(String.format("RSS %.0f MiB, heap %.0f MiB, programming p50 %.1f ms p99 %.1f ms", rss, heap,
                        values.get(P50.name()), values.get(P99.name())));
                return values;
            }
        }

        private boolean programmed(NodeReader k) {
            if (!k.optionalBoolean("synced", false)) {
                return false;
            }
            NodeReader services = k.optionalObject("services");
            return k.optionalLong("peers", 0, Long.MAX_VALUE, 0) == cluster.nodes() && services != null
                    && services.optionalLong("served", 0, Long.MAX_VALUE, 0) == cluster.services();
        }

        private static long latencyCount(NodeReader k) {
            NodeReader l = k == null ? null : k.optionalObject("programmingLatency");
            return l == null ? 0 : l.optionalLong("count", 0, Long.MAX_VALUE, 0);
        }

        @Override
        public void close() {
            topology.close();
        }
    }
}
