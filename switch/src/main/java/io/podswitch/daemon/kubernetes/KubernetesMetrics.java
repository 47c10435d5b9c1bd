package io.podswitch.daemon.kubernetes;

import io.podswitch.daemon.kubernetes.services.ProgrammingLatency;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import io.podswitch.daemon.kubernetes.watch.WatchHealth;
import io.podswitch.daemon.metrics.Families;
import io.podswitch.daemon.metrics.Family;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kubernetes source's metrics ({@code podswitch_kube_*}, docs/metrics.md): per resource, whether its
 * informer has listed and is watching, how stale it is, when it last heard anything, its restarts and cache
 * size, and the objects skipped by reason; per reconciler, its queue and work; and the network programming
 * latency. Reads only the state {@link KubernetesSource#status} publishes: cheap, never blocks.
 */
public final class KubernetesMetrics implements MultiCollector {
    private final KubernetesSource source;

    public KubernetesMetrics(KubernetesSource source) {
        this.source = source;
    }

    @Override
    public MetricSnapshots collect() {
        KubernetesStatus s = source.status();
        Families f = new Families();
        Family synced = f.gauge("podswitch_kube_synced", "1 once the resource's informer has listed it.", "resource");
        Family watching = f.gauge("podswitch_kube_watching", "1 while the resource's watch is established.", "resource");
        Family stale = f.gauge("podswitch_kube_stale_seconds",
                "How long the resource's watch has been down (0 while watching): how old the view may be.", "resource");
        Family lastEvent = f.gauge("podswitch_kube_last_event_timestamp_seconds",
                "When the resource's informer last delivered an event or a list (Unix time).", "resource");
        Family restarts = f.counter("podswitch_kube_watch_restarts", "Watch restarts: relist (the watch expired "
                + "with 410 Gone or broke, and the resource was listed again), error (a list or watch attempt failed; "
                + "retried with backoff), watchdog (the watch stayed down while the API server answered: the informer "
                + "was replaced by a new one).", "resource", "reason");
        Family objects = f.gauge("podswitch_kube_objects", "Objects in the resource's informer cache.", "resource");
        Family skipped = f.gauge("podswitch_kube_skipped_objects",
                "Objects logged and not applied (they make no sense here, or the table refused them), by reason.",
                "resource", "reason");
        for (WatchHealth w : s.watches()) {
            synced.add(w.synced() ? 1 : 0, w.resource());
            watching.add(w.watching() ? 1 : 0, w.resource());
            stale.add(w.staleMillis() / 1000.0, w.resource());
            lastEvent.add(w.lastEventMillis() / 1000.0, w.resource());
            restarts.add(Math.max(0, w.lists() - 1), w.resource(), "relist");
            restarts.add(w.failures(), w.resource(), "error");
            restarts.add(w.restarts(), w.resource(), "watchdog");
            objects.add(w.items(), w.resource());
        }
        byReason(s.skippedNodes()).forEach((reason, n) -> skipped.add(n, "nodes", reason));
        byReason(s.services().unservable()).forEach((reason, n) -> skipped.add(n, "services", reason));
        Map<String, Map<String, Skipped>> policyInputs = new TreeMap<>();
        s.skippedPolicyInputs().forEach((key, why) -> policyInputs.computeIfAbsent(key.substring(0, key.indexOf('/')),
                r -> new TreeMap<>()).put(key, why));
        policyInputs.forEach((resource, inputs) -> byReason(inputs).forEach((reason, n) -> skipped.add(n, resource, reason)));

        Family pending = f.gauge("podswitch_kube_pending_keys", "Changed objects waiting for the next batch.",
                "reconciler");
        Family batches = f.counter("podswitch_kube_reconcile_batches", "Batches applied on the control thread.",
                "reconciler");
        Family keys = f.counter("podswitch_kube_reconciled_keys", "Objects reconciled (a key once per batch).",
                "reconciler");
        for (KubernetesStatus.ReconcilerView r : s.reconcilers()) {
            pending.add(r.pending(), r.name());
            batches.add(r.batches(), r.name());
            keys.add(r.keys(), r.name());
        }

        ProgrammingLatency.Summary p = s.programming();
        f.counter("podswitch_kube_network_programming_changes",
                "EndpointSlice changes programmed into the data path since start (with a trigger time).").add(p.count());
        if (p.count() > 0) {
            Family quantiles = f.gauge("podswitch_kube_network_programming_seconds", "Network programming latency "
                    + "since start: EndpointSlice change (its last-change-trigger-time) to the data path.", "quantile");
            quantiles.add(p.p50Millis() / 1000, "0.5");
            quantiles.add(p.p90Millis() / 1000, "0.9");
            quantiles.add(p.p99Millis() / 1000, "0.99");
            quantiles.add(p.maxMillis() / 1000, "1");
        }
        return f.build();
    }

    private static Map<String, Integer> byReason(Map<String, Skipped> skipped) {
        Map<String, Integer> out = new TreeMap<>();
        skipped.values().forEach(why -> out.merge(why.reason(), 1, Integer::sum));
        return out;
    }
}
