package io.podswitch.daemon.policy;

import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.policy.PolicyTables;
import io.podswitch.stats.CounterSource;
import java.util.Map;

/**
 * Per-policy counters for the stats file, summed over the workers:
 * {@code policy.<namespace>/<name>.<direction>_allowed_flows} (new connections a rule of the policy allowed, in the
 * direction it judged: {@code egress} at the sending pod, {@code ingress} at the receiving one) and
 * {@code policy.<namespace>/<name>.<direction>_denied_packets} (packets dropped at a pod the policy isolates in
 * that direction, counted against the first isolating policy by name). Names may contain dots: the kind is
 * after the last one. Plus what the last compilation cost and produced, under {@code policy-tables.*}.
 */
public final class PolicyCounterSource implements CounterSource {
    private final PolicyManager manager;

    public PolicyCounterSource(PolicyManager manager) {
        this.manager = manager;
    }

    @Override
    public void visit(CounterVisitor visitor) {
        PolicyTables tables = manager.tables();
        for (Map.Entry<NamespacedName, Integer> e : manager.policyIds().entrySet()) {
            String prefix = "policy." + e.getKey();
            int id = e.getValue();
            visitor.counter(prefix + ".egress_allowed_flows", tables.counters().get(id, PolicyTables.EGRESS_ALLOWED_FLOWS));
            visitor.counter(prefix + ".ingress_allowed_flows", tables.counters().get(id, PolicyTables.INGRESS_ALLOWED_FLOWS));
            visitor.counter(prefix + ".egress_denied_packets", tables.counters().get(id, PolicyTables.EGRESS_DENIED_PACKETS));
            visitor.counter(prefix + ".ingress_denied_packets", tables.counters().get(id, PolicyTables.INGRESS_DENIED_PACKETS));
        }
        PolicyManager.Compilation c = manager.lastCompilation();
        visitor.counter("policy-tables.generation", c.generation());
        visitor.counter("policy-tables.compile_micros", c.nanos() / 1000);
        visitor.counter("policy-tables.policies", c.policies());
        visitor.counter("policy-tables.pods", c.pods());
        visitor.counter("policy-tables.peer_classes", c.classes());
        visitor.counter("policy-tables.tables", c.tables());
        visitor.counter("policy-tables.port_sets", c.portSets());
    }
}
