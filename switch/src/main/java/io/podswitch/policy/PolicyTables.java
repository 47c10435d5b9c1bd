package io.podswitch.policy;

import io.podswitch.stats.StripedCounters;

/**
 * The policy tables every worker reads: the current {@link CompiledPolicy}, swapped whole through one
 * volatile reference (a worker reads it once per packet vector, so a vector is judged by one snapshot and a
 * snapshot is never seen half-built; an old snapshot is garbage once no worker holds it, the QSBR grace
 * period coming for free from the vector boundary), and the per-policy counters.
 */
public final class PolicyTables {
    /** Counter kinds of {@link #counters()}: new connections a policy's rule allowed, packets it denied, per direction. */
    public static final int EGRESS_ALLOWED_FLOWS = 0;
    public static final int INGRESS_ALLOWED_FLOWS = 1;
    public static final int EGRESS_DENIED_PACKETS = 2;
    public static final int INGRESS_DENIED_PACKETS = 3;
    private static final int KINDS = 4;

    private final StripedCounters counters;
    private volatile CompiledPolicy current;

    /**
     * @param policyIds the most policies the cluster may hold at once (ids are reused after a deletion)
     * @param workers   the workers that count
     */
    public PolicyTables(int policyIds, int workers) {
        counters = new StripedCounters(workers, policyIds, KINDS);
        current = CompiledPolicy.none(0);
    }

    public CompiledPolicy current() {
        return current;
    }

    /** Control thread: publishes a new snapshot (its generation must be newer). */
    public void publish(CompiledPolicy next) {
        if (next.generation() <= current.generation()) {
            throw new IllegalArgumentException("generation " + next.generation() + " is not after "
                    + current.generation());
        }
        if (next.policyNames().size() > counters.ids()) {
            throw new IllegalArgumentException(next.policyNames().size() + " policy ids exceed the " + counters.ids()
                    + " the counters hold");
        }
        current = next;
    }

    public StripedCounters counters() {
        return counters;
    }

    /** New connections the policy with counter id {@code id} allowed, both directions, summed over the workers. */
    public long allowedFlows(int id) {
        return counters.get(id, EGRESS_ALLOWED_FLOWS) + counters.get(id, INGRESS_ALLOWED_FLOWS);
    }

    /** Packets denied against the policy with counter id {@code id}, both directions, summed over the workers. */
    public long deniedPackets(int id) {
        return counters.get(id, EGRESS_DENIED_PACKETS) + counters.get(id, INGRESS_DENIED_PACKETS);
    }

    public int policyCapacity() {
        return counters.ids();
    }
}
