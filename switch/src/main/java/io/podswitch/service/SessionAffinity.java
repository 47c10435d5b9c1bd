package io.podswitch.service;

import io.podswitch.stats.CounterSource;

/**
 * One worker's {@code sessionAffinity: ClientIP} table: (service, client address) → the backend the
 * client's previous connection used, for {@code timeout} after the client was last seen. Fixed parallel
 * arrays allocated once, open addressing with linear probing and backward-shift deletion (no tombstones,
 * so probes stay short after many deletions), lazy and swept expiry, bounded probing with
 * {@link #FULL}; keyed by the client address only, so all of a
 * client's connections to the service reach one backend. On {@link #FULL} the caller falls back to
 * Maglev for the connection (affinity is lost for it, nothing is dropped).
 *
 * <pre>
 *  +--------------------+--------------------+
 *  | clientHigh   (64)  | clientLow    (64)  |   client address, IPv4 as ::ffff:a.b.c.d
 *  +--------------------+--------------------+
 *  | key (64): 0 = free, else 1 &lt;&lt; 32 | service id (32)                 |
 *  +----------------------------------------------------------------------+
 *  | lastSeen (64)                          | backend (32)                |
 *  +----------------------------------------------------------------------+
 * </pre>
 */
public final class SessionAffinity implements CounterSource {
    public static final int MISS = -1;
    public static final int FULL = -2;

    private static final long PRESENT = 1L << 32;

    private final String name;
    private final long timeout;
    private final int mask;
    private final int maxProbe;
    private final long[] clientHigh;
    private final long[] clientLow;
    private final long[] key;
    private final long[] lastSeen;
    private final int[] backend;
    private int sweepCursor;
    private int live;

    private long recorded;
    private long expired;
    private long full;
    private long hits;
    private long misses;

    /**
     * @param capacity a power of two ≥ 2
     * @param maxProbe 1..capacity
     * @param timeout  idle lifetime in clock units (Kubernetes' default is 10,800 s)
     */
    public SessionAffinity(String name, int capacity, int maxProbe, long timeout) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("affinity capacity must be a power of two >= 2: " + capacity);
        }
        if (maxProbe < 1 || maxProbe > capacity) {
            throw new IllegalArgumentException("affinity maxProbe must be in 1.." + capacity + ": " + maxProbe);
        }
        if (timeout <= 0) {
            throw new IllegalArgumentException("affinity timeout must be positive: " + timeout);
        }
        this.name = name;
        this.timeout = timeout;
        this.mask = capacity - 1;
        this.maxProbe = maxProbe;
        clientHigh = new long[capacity];
        clientLow = new long[capacity];
        key = new long[capacity];
        lastSeen = new long[capacity];
        backend = new int[capacity];
    }

    private int home(long k, long high, long low) {
        return (int) FlowHash.hash6(0, high, low, k, 0, 0, 0) & mask;
    }

    /** The slot of the client's live affinity entry for {@code service}, or {@link #MISS}. */
    public int lookup(int service, long high, long low, long now) {
        int slot = find(PRESENT | (service & 0xffff_ffffL), high, low, now, false);
        if (slot >= 0) {
            hits++;
            return slot;
        }
        misses++;
        return MISS;
    }

    /** Records (or refreshes) that the client uses {@code backendIndex}; returns the slot or {@link #FULL}. */
    public int record(int service, long high, long low, int backendIndex, long now) {
        long k = PRESENT | (service & 0xffff_ffffL);
        int slot = find(k, high, low, now, true);
        if (slot == FULL) {
            full++;
            return FULL;
        }
        if (key[slot] == 0) {
            key[slot] = k;
            clientHigh[slot] = high;
            clientLow[slot] = low;
            live++;
            recorded++;
        }
        backend[slot] = backendIndex;
        lastSeen[slot] = now;
        return slot;
    }

    private int find(long k, long high, long low, long now, boolean forInsert) {
        int home = home(k, high, low);
        int slot = home;
        for (int probe = 0; probe < maxProbe; ) {
            long m = key[slot];
            if (m == 0) {
                return forInsert ? slot : MISS;
            }
            if (now - lastSeen[slot] > timeout) {
                expired++;
                delete(slot);
                slot = home; // the backward shift may leave the hole behind this slot: start over
                probe = 0;
                continue;
            }
            if (m == k && clientLow[slot] == low && clientHigh[slot] == high) {
                return slot;
            }
            slot = (slot + 1) & mask;
            probe++;
        }
        return forInsert ? FULL : MISS;
    }

    private void delete(int hole) {
        live--;
        key[hole] = 0;
        int slot = hole;
        while (true) {
            slot = (slot + 1) & mask;
            if (key[slot] == 0) {
                return;
            }
            int home = home(key[slot], clientHigh[slot], clientLow[slot]);
            if (((slot - home) & mask) >= ((slot - hole) & mask)) {
                key[hole] = key[slot];
                clientHigh[hole] = clientHigh[slot];
                clientLow[hole] = clientLow[slot];
                lastSeen[hole] = lastSeen[slot];
                backend[hole] = backend[slot];
                key[slot] = 0;
                hole = slot;
            }
        }
    }

    /** Removes the entry in {@code slot} (its backend went away). */
    public void remove(int slot) {
        if (key[slot] != 0) {
            delete(slot);
        }
    }

    /** Slow tick: examines up to {@code budget} slots and removes dead entries; returns how many. */
    public int sweep(long now, int budget) {
        int before = live;
        int slot = sweepCursor;
        for (int i = 0; i < budget; i++) {
            if (key[slot] != 0 && now - lastSeen[slot] > timeout) {
                expired++;
                delete(slot);
                continue;
            }
            slot = (slot + 1) & mask;
        }
        sweepCursor = slot;
        return before - live;
    }

    /** When the client was last seen in {@code slot} (lets a caller apply a per-service timeout shorter than the table's). */
    public long lastSeen(int slot) {
        return lastSeen[slot];
    }

    public int backend(int slot) {
        return backend[slot];
    }

    public int size() {
        return live;
    }

    @Override
    public void visit(CounterVisitor visitor) {
        visitor.counter(name + ".entries", live);
        visitor.counter(name + ".recorded", recorded);
        visitor.counter(name + ".expired", expired);
        visitor.counter(name + ".full", full);
        visitor.counter(name + ".lookup_hit", hits);
        visitor.counter(name + ".lookup_miss", misses);
    }
}
