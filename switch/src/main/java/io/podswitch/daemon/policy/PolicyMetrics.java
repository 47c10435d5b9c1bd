package io.podswitch.daemon.policy;

import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.daemon.metrics.Family;
import io.podswitch.policy.PolicyConnTrack;
import io.podswitch.policy.PolicyTables;
import io.podswitch.stats.StripedCounters;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;

/**
 * NetworkPolicy's Prometheus families (docs/metrics.md): per policy and direction, the connections it
 * allowed and the packets dropped at pods it isolates (the stats file's {@code policy.NS/NAME.*}, summed
 * over the workers); what the last compilation produced and cost; each worker's policy connection table.
 * The per-node decisions ({@code ip4-policy / denied_ingress}, ...) are graph-node events, already in
 * {@code podswitch_graph_node_events}. Runs on the control thread during a scrape, like the manager.
 *
 * <p>Allowed is counted per connection and denied per packet (a denied peer retries; an allowed connection's
 * packets are the conntrack's business), so the two are separate families rather than one with a verdict
 * label whose values could not be added up.
 */
public final class PolicyMetrics implements MultiCollector {
    private final PolicyManager manager;
    private final List<PolicyConnTrack> tracks;

    public PolicyMetrics(PolicyManager manager, List<PolicyConnTrack> tracks) {
        this.manager = manager;
        this.tracks = tracks;
    }

    @Override
    public MetricSnapshots collect() {
        Family allowed = Family.counter("podswitch_policy_allowed_flows",
                "New connections a rule of the NetworkPolicy allowed, in the direction it judged.", "policy", "direction");
        Family denied = Family.counter("podswitch_policy_denied_packets",
                "Packets dropped at a pod the NetworkPolicy isolates (counted against its first isolating policy).",
                "policy", "direction");
        StripedCounters counters = manager.tables().counters();
        for (Map.Entry<NamespacedName, Integer> e : manager.policyIds().entrySet()) {
            String policy = e.getKey().toString();
            int id = e.getValue();
            allowed.add(counters.get(id, PolicyTables.EGRESS_ALLOWED_FLOWS), policy, "egress");
            allowed.add(counters.get(id, PolicyTables.INGRESS_ALLOWED_FLOWS), policy, "ingress");
            denied.add(counters.get(id, PolicyTables.EGRESS_DENIED_PACKETS), policy, "egress");
            denied.add(counters.get(id, PolicyTables.INGRESS_DENIED_PACKETS), policy, "ingress");
        }
        PolicyManager.Compilation c = manager.lastCompilation();
        Family compiled = Family.gauge("podswitch_policy_compiled",
                "What the node's compiled policy tables hold.", "object");
        compiled.add(c.policies(), "policies").add(c.pods(), "pods").add(c.classes(), "peer_classes")
                .add(c.tables(), "tables").add(c.portSets(), "port_sets");
        Family generation = Family.gauge("podswitch_policy_generation",
                "Generation of the policy tables in force (one more per compilation).").add(c.generation());
        Family compileSeconds = Family.gauge("podswitch_policy_compile_seconds",
                "How long the last compilation of the policy tables took.").add(c.nanos() / 1e9);
        Family entries = Family.gauge("podswitch_policy_conntrack_entries", "Policy connection-tracking flows held.",
                "worker");
        Family capacity = Family.gauge("podswitch_policy_conntrack_capacity",
                "Policy connection-tracking flows the table holds at most.", "worker");
        Family events = Family.counter("podswitch_policy_conntrack_events",
                "Policy connection-tracking events (inserted, expired, removed, full).", "worker", "event");
        for (int w = 0; w < tracks.size(); w++) {
            String worker = Integer.toString(w);
            PolicyConnTrack track = tracks.get(w);
            capacity.add(track.capacity(), worker);
            track.visit((name, value) -> {
                String event = name.substring(name.lastIndexOf('.') + 1);
                if (event.equals("entries")) {
                    entries.add(value, worker);
                } else {
                    events.add(value, worker, event);
                }
            });
        }
        MetricSnapshots.Builder b = MetricSnapshots.builder();
        for (Family f : List.of(allowed, denied, compiled, generation, compileSeconds, entries, capacity, events)) {
            if (!f.isEmpty()) {
                b.metricSnapshot(f.snapshot());
            }
        }
        return b.build();
    }
}
