package io.podswitch.daemon.policy;

import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.policy.PolicyTables;
import io.podswitch.stats.CounterSource;
import java.util.Map;

/**
 * Per-policy counters for the stats file, summed over the workers:
 * {@code policy.<namespace>/<name>.allowed_flows} (new connections a rule of the policy allowed, counted once
 * per direction it judged) and {@code policy.<namespace>/<name>.denied_packets} (packets dropped at a pod the
 * policy isolates, counted against the first isolating policy by name). Names may contain dots: the kind is
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
            visitor.counter(prefix + ".allowed_flows", tables.counters().get(e.getValue(), PolicyTables.ALLOWED_FLOWS));
            visitor.counter(prefix + ".denied_packets", tables.counters().get(e.getValue(), PolicyTables.DENIED_PACKETS));
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
