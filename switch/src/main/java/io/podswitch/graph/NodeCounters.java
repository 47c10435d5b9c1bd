package io.podswitch.graph;

import io.podswitch.stats.CounterSource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one graph node: packets and vectors it processed, and one counter per reason
 * (mostly drop reasons), named {@code <node>.<reason>}, e.g. {@code ip4-input.bad_checksum}.
 *
 * <p>Per-packet events land in a private pending array; {@link #commit} adds them to the published
 * values once per vector with release stores, so a reader on another thread sees whole values.
 */
public final class NodeCounters implements CounterSource {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final String node;
    private final String[] reasons;
    private final String[] names;
    private final long[] pending;
    private final long[] values;
    private long packets;
    private long vectors;
    private long pendingPackets;

    public NodeCounters(String node, String... reasons) {
        this.node = node;
        this.reasons = reasons.clone();
        this.names = new String[reasons.length];
        for (int i = 0; i < reasons.length; i++) {
            names[i] = node + "." + reasons[i];
        }
        this.pending = new long[reasons.length];
        this.values = new long[reasons.length];
    }

    public String node() {
        return node;
    }

    /** How many reasons this node counts. */
    public int reasonCount() {
        return reasons.length;
    }

    /** The name of reason {@code index} (without the node), e.g. {@code bad_checksum}. */
    public String reason(int index) {
        return reasons[index];
    }

    /** Counts one event of reason {@code index}; published at the next {@link #commit}. */
    public void count(int index) {
        pending[index]++;
    }

    public void count(int index, int n) {
        pending[index] += n;
    }

    /** Records a vector of {@code n} packets entering the node. */
    public void vector(int n) {
        pendingPackets += n;
    }

    /** Publishes everything counted since the last commit. */
    public void commit() {
        if (pendingPackets != 0) {
            packets += pendingPackets;
            vectors++;
            pendingPackets = 0;
        }
        for (int i = 0; i < pending.length; i++) {
            long p = pending[i];
            if (p != 0) {
                LONGS.setRelease(values, i, (long) LONGS.get(values, i) + p);
                pending[i] = 0;
            }
        }
    }

    /** The published value of one reason. */
    public long get(int index) {
        return (long) LONGS.getAcquire(values, index);
    }

    /** The published value by reason name (tests and tools; not for the data path). */
    public long get(String reason) {
        String full = node + "." + reason;
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(full)) {
                return get(i);
            }
        }
        throw new IllegalArgumentException("node " + node + " has no counter '" + reason + "'");
    }

    public long packets() {
        return packets;
    }

    public long vectors() {
        return vectors;
    }

    @Override
    public void visit(CounterVisitor visitor) {
        visitor.counter(node + ".packets", packets);
        visitor.counter(node + ".vectors", vectors);
        for (int i = 0; i < names.length; i++) {
            visitor.counter(names[i], get(i));
        }
    }
}
