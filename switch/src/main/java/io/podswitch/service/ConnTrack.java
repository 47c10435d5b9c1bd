package io.podswitch.service;

import io.podswitch.stats.CounterSource;

/**
 * One worker's connection-tracking table: pins a flow to the backend it was first sent to, so a Maglev
 * table change does not move established connections. Fixed memory: parallel primitive arrays allocated
 * once, open addressing with linear probing and backward-shift deletion (no tombstones), no allocation
 * per flow or per lookup. Single-threaded: only the owning worker touches it (the stats publisher reads
 * the counters, which may be a tick stale).
 *
 * <p>One slot, spread across the arrays at the same index:
 * <pre>
 *   0               63 0               63
 *  +------------------+------------------+
 *  | sourceHigh       | sourceLow        |   source address (IPv4 as ::ffff:a.b.c.d)
 *  +------------------+------------------+
 *  | destinationHigh  | destinationLow   |   destination address
 *  +------------------+------------------+
 *  | meta: 0 = free | 1 | protocol (8) | sourcePort (16) | destinationPort (16) |  (bits 40, 39..32, 31..16, 15..0)
 *  +------------------+------------------+
 *  | lastSeen (clock units)              |
 *  +------------------+------------------+
 *  | backend (int) | natSlot (int) | tcpState (byte) |
 *  +-------------------------------------+
 * </pre>
 *
 * <p>Expiry: an entry is dead once {@code now - lastSeen} exceeds its state's timeout. Dead entries are
 * removed lazily when a lookup or insert probes over them, and by {@link #sweep(long, int)}, which the
 * worker calls from its slow tick with a bounded slot budget, so the cost is amortised and bounded.
 *
 * <p>Probing is bounded by {@code maxProbe}: an insert that finds neither its key, a free slot nor a dead
 * entry within that many slots returns {@link #FULL}; the caller counts it and falls back to stateless
 * Maglev for the packet instead of dropping it.
 */
public final class ConnTrack implements CounterSource {
    public static final int MISS = -1;
    public static final int FULL = -2;

    private static final long PRESENT = 1L << 40;

    private final String name;
    private final ConnTrackTimeouts timeouts;
    private final int mask;
    private final int maxProbe;
    private final long[] sourceHigh;
    private final long[] sourceLow;
    private final long[] destinationHigh;
    private final long[] destinationLow;
    private final long[] meta;
    private final long[] lastSeen;
    private final int[] backend;
    private final int[] natSlot;
    private final byte[] tcpState;
    private int sweepCursor;
    private int live;

    private long inserted;
    private long expired;
    private long full;
    private long hits;
    private long misses;
    private long removed;

    /**
     * @param name     counter prefix, e.g. {@code conntrack.worker0}
     * @param capacity number of slots, a power of two ≥ 2
     * @param maxProbe longest probe sequence, 1..capacity (e.g. 64): bounds the per-packet worst case
     */
    public ConnTrack(String name, int capacity, int maxProbe, ConnTrackTimeouts timeouts) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("conntrack capacity must be a power of two >= 2: " + capacity);
        }
        if (maxProbe < 1 || maxProbe > capacity) {
            throw new IllegalArgumentException("conntrack maxProbe must be in 1.." + capacity + ": " + maxProbe);
        }
        this.name = name;
        this.timeouts = timeouts;
        this.mask = capacity - 1;
        this.maxProbe = maxProbe;
        sourceHigh = new long[capacity];
        sourceLow = new long[capacity];
        destinationHigh = new long[capacity];
        destinationLow = new long[capacity];
        meta = new long[capacity];
        lastSeen = new long[capacity];
        backend = new int[capacity];
        natSlot = new int[capacity];
        tcpState = new byte[capacity];
    }

    private static long meta(int protocol, int sourcePort, int destinationPort) {
        return PRESENT | (long) (protocol & 0xff) << 32 | (sourcePort & 0xffffL) << 16 | (destinationPort & 0xffffL);
    }

    private int home(long metaKey, long srcHigh, long srcLow, long dstHigh, long dstLow) {
        return (int) FlowHash.hash6((int) (metaKey >>> 32) & 0xff, srcHigh, srcLow, dstHigh, dstLow,
            (int) (metaKey >>> 16) & 0xffff, (int) metaKey & 0xffff) & mask;
    }

    /** IPv4 convenience for {@link #lookup(int, long, long, long, long, int, int, long)}. */
    public int lookup4(int protocol, int source, int destination, int sourcePort, int destinationPort, long now) {
        return lookup(protocol, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(source), FlowHash.IPV4_MAPPED_HIGH,
            FlowHash.ipv4MappedLow(destination), sourcePort, destinationPort, now);
    }

    /**
     * The slot of the live entry for this 5-tuple, or {@link #MISS}. Does not refresh the entry; the
     * caller calls {@link #touch(int, int, long)} when it forwards the packet.
     */
    public int lookup(int protocol, long srcHigh, long srcLow, long dstHigh, long dstLow,
                      int sourcePort, int destinationPort, long now) {
        long key = meta(protocol, sourcePort, destinationPort);
        int found = find(key, srcHigh, srcLow, dstHigh, dstLow, now, false);
        if (found >= 0) {
            hits++;
            return found;
        }
        misses++;
        return MISS;
    }

    /** IPv4 convenience for {@link #insert(int, long, long, long, long, int, int, int, int, int, long)}. */
    public int insert4(int protocol, int source, int destination, int sourcePort, int destinationPort,
                       int backendIndex, int nat, int state, long now) {
        return insert(protocol, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(source), FlowHash.IPV4_MAPPED_HIGH,
            FlowHash.ipv4MappedLow(destination), sourcePort, destinationPort, backendIndex, nat, state, now);
    }

    /**
     * Creates (or overwrites) the entry for this 5-tuple and returns its slot, or {@link #FULL}.
     *
     * @param state a {@link TcpState} constant ({@link TcpState#NONE} for UDP and other protocols)
     */
    public int insert(int protocol, long srcHigh, long srcLow, long dstHigh, long dstLow, int sourcePort,
                      int destinationPort, int backendIndex, int nat, int state, long now) {
        long key = meta(protocol, sourcePort, destinationPort);
        int slot = find(key, srcHigh, srcLow, dstHigh, dstLow, now, true);
        if (slot == FULL) {
            full++;
            return FULL;
        }
        if (meta[slot] == 0) {
            meta[slot] = key;
            sourceHigh[slot] = srcHigh;
            sourceLow[slot] = srcLow;
            destinationHigh[slot] = dstHigh;
            destinationLow[slot] = dstLow;
            live++;
            inserted++;
        }
        backend[slot] = backendIndex;
        natSlot[slot] = nat;
        tcpState[slot] = (byte) state;
        lastSeen[slot] = now;
        return slot;
    }

    /**
     * Probes from the key's home slot. Returns the matching live slot; otherwise, if {@code forInsert},
     * the first free slot (or {@link #FULL}), else {@link #MISS}. Dead entries met on the way are removed.
     */
    private int find(long key, long srcHigh, long srcLow, long dstHigh, long dstLow, long now, boolean forInsert) {
        int home = home(key, srcHigh, srcLow, dstHigh, dstLow);
        int slot = home;
        for (int probe = 0; probe < maxProbe; ) {
            long m = meta[slot];
            if (m == 0) {
                return forInsert ? slot : MISS;
            }
            if (isDead(slot, now)) {
                expire(slot);
                // The backward shift moved entries and left a hole somewhere in the cluster, possibly
                // behind this slot; start over so the first free slot from home is found. Each restart
                // follows a removal, so this ends.
                slot = home;
                probe = 0;
                continue;
            }
            if (m == key && sourceLow[slot] == srcLow && destinationLow[slot] == dstLow
                && sourceHigh[slot] == srcHigh && destinationHigh[slot] == dstHigh) {
                return slot;
            }
            slot = (slot + 1) & mask;
            probe++;
        }
        return forInsert ? FULL : MISS;
    }

    private boolean isDead(int slot, long now) {
        return now - lastSeen[slot] > timeouts.forState(tcpState[slot]);
    }

    private void expire(int slot) {
        expired++;
        delete(slot);
    }

    /**
     * Backward-shift deletion for linear probing: pulls later entries of the cluster back over the hole
     * when their home slot allows it, so lookups never need tombstones.
     */
    private void delete(int hole) {
        live--;
        meta[hole] = 0; // first, so the scan below ends even when the table was completely full
        int slot = hole;
        while (true) {
            slot = (slot + 1) & mask;
            if (meta[slot] == 0) {
                return;
            }
            int home = home(meta[slot], sourceHigh[slot], sourceLow[slot], destinationHigh[slot], destinationLow[slot]);
            // The entry may move to the hole only if the hole lies cyclically within [home, slot).
            if (((slot - home) & mask) >= ((slot - hole) & mask)) {
                move(slot, hole);
                meta[slot] = 0;
                hole = slot;
            }
        }
    }

    private void move(int from, int to) {
        meta[to] = meta[from];
        sourceHigh[to] = sourceHigh[from];
        sourceLow[to] = sourceLow[from];
        destinationHigh[to] = destinationHigh[from];
        destinationLow[to] = destinationLow[from];
        lastSeen[to] = lastSeen[from];
        backend[to] = backend[from];
        natSlot[to] = natSlot[from];
        tcpState[to] = tcpState[from];
    }

    /**
     * Marks the entry in {@code slot} as seen now and advances its TCP state by the segment's flags
     * (ignored for non-TCP entries). Returns the new state.
     */
    public int touch(int slot, int tcpFlags, long now) {
        int state = TcpState.next(tcpState[slot], tcpFlags);
        tcpState[slot] = (byte) state;
        lastSeen[slot] = now;
        return state;
    }

    /** Removes the entry in {@code slot} (e.g. its backend was deleted); the slot number becomes invalid. */
    public void remove(int slot) {
        if (meta[slot] != 0) {
            removed++;
            delete(slot);
        }
    }

    /**
     * Slow tick: examines up to {@code budget} slots from where the previous sweep stopped and removes dead
     * entries. Returns how many it removed.
     */
    public int sweep(long now, int budget) {
        int before = live;
        int slot = sweepCursor;
        for (int i = 0; i < budget; i++) {
            if (meta[slot] != 0 && isDead(slot, now)) {
                expire(slot);
                // Re-examine the same slot next: the shift may have moved a dead entry into it.
                continue;
            }
            slot = (slot + 1) & mask;
        }
        sweepCursor = slot;
        return before - live;
    }

    public int backend(int slot) {
        return backend[slot];
    }

    public int natSlot(int slot) {
        return natSlot[slot];
    }

    public int tcpState(int slot) {
        return tcpState[slot];
    }

    public long lastSeen(int slot) {
        return lastSeen[slot];
    }

    /** Entries present, dead or alive (dead ones count until a probe or sweep reaches them). */
    public int size() {
        return live;
    }

    public int capacity() {
        return mask + 1;
    }

    @Override
    public void visit(CounterVisitor visitor) {
        visitor.counter(name + ".entries", live);
        visitor.counter(name + ".inserted", inserted);
        visitor.counter(name + ".expired", expired);
        visitor.counter(name + ".removed", removed);
        visitor.counter(name + ".full", full);
        visitor.counter(name + ".lookup_hit", hits);
        visitor.counter(name + ".lookup_miss", misses);
    }
}
