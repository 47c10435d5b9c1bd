package io.podswitch.policy;

import io.podswitch.service.ConnTrackRecords;
import io.podswitch.service.ConnTrackTimeouts;
import io.podswitch.service.FlowHash;
import io.podswitch.service.TcpState;

import java.lang.invoke.VarHandle;

/**
 * One worker's table of connections the policy stage let through: a packet of a tracked connection passes in
 * either direction without being classified again, so the replies of an allowed connection pass whatever
 * isolates their direction. Entries remember the {@link CompiledPolicy#generation()} they were validated
 * under; after a policy change the next packet of the connection validates it again (see
 * docs/network-policy.md, "Established connections").
 *
 * <p>The owner (the worker that saw the connection's first packet) is the only writer of records and of
 * the index; any worker looks up and refreshes, because a connection's two directions usually arrive on
 * different workers (two pods' TAPs, or a TAP and the uplink). The key is direction-free: the two endpoints
 * in a canonical order (the lower address/port first), so both directions find the same record with one
 * probe.
 *
 * <pre>
 *  record r (parallel arrays):
 *  +--------------+--------------+   endpoint A = the lower (address, port), endpoint B = the higher
 *  | aHigh        | aLow         |
 *  | bHigh        | bLow         |
 *  +--------------+--------------+
 *  | ports: aPort 16 | bPort 16  | protocol 8 | initiator 8 (1 = A opened it, 2 = B)           |
 *  | seq 64: seqlock, odd while the owner rewrites the record (other readers retry)            |
 *  | generation 64 (opaque, any worker: the policy generation the connection was last allowed under) |
 *  | lastSeen 64 (owner) | otherSeen 64 (opaque, other workers)                                 |
 *  | tcpState 8 (owner)  | flags 8 (FIN/RST other workers saw, REVOKED; opaque, any worker)     |
 *  +------------------------------------------------------------------------------------------+
 *  index: bucketed hash of the key, {@value #WAYS} ways per bucket, record + 1 per way (0 = empty),
 *         twice as many ways as records; a full bucket → {@link #FULL} (the flow goes untracked)
 * </pre>
 *
 * Cross-worker safety is the scheme of {@code service.ServiceConnTrack}: acquire/release on the index ways,
 * a sequence number around record rewrites, opaque stores for what other workers write; the sequence number,
 * the free list, expiry and the sweep are {@link ConnTrackRecords}, shared with it. Fixed memory, no
 * allocation, no locks.
 */
public final class PolicyConnTrack extends ConnTrackRecords {
    public static final int MISS = -1;
    public static final int FULL = -2;
    static final int WAYS = 8;
    /**
     * flags bit: a policy change revoked the connection. The record stays (a tombstone, refreshed while the
     * connection keeps trying) so that neither side can pick the connection up again mid-stream; a later
     * change that allows it again clears the bit.
     */
    static final int REVOKED = 0x40;
    // SUPERSEDED (ConnTrackRecords): a new connection reuses the tuple (a SYN after a revocation); the record is dead.
    private static final int READ_ATTEMPTS = 4;
    /** initiator byte values. */
    static final byte INITIATOR_A = 1;
    static final byte INITIATOR_B = 2;

    private final int bucketMask;
    private final long[] aHigh;
    private final long[] aLow;
    private final long[] bHigh;
    private final long[] bLow;
    private final int[] ports;
    private final byte[] protocol;
    private final byte[] initiator;
    private final long[] generation;
    private final int[] index;

    /**
     * A packet's connection key in canonical order, computed once per packet and used with every table (a
     * worker's own; the lookups of a packet that misses its own table go on to the others with the same key).
     */
    public static final class Key {
        int protocol;
        long aHigh;
        long aLow;
        int aPort;
        long bHigh;
        long bLow;
        int bPort;
        /** The packet's source is endpoint A. */
        boolean srcIsA;
        long hash;

        /** Sets the key of a packet from {@code src} to {@code dst}. */
        public Key set(int proto, long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort) {
            protocol = proto;
            srcIsA = lower(srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort);
            aHigh = srcIsA ? srcHigh : dstHigh;
            aLow = srcIsA ? srcLow : dstLow;
            aPort = srcIsA ? srcPort : dstPort;
            bHigh = srcIsA ? dstHigh : srcHigh;
            bLow = srcIsA ? dstLow : srcLow;
            bPort = srcIsA ? dstPort : srcPort;
            hash = FlowHash.hash6(proto, aHigh, aLow, bHigh, bLow, aPort, bPort);
            return this;
        }

        int ports() {
            return aPort << 16 | bPort;
        }
    }

    /** Filled by the last successful lookup (any table): who opened the connection, and its generation. */
    public static final class Hit {
        public PolicyConnTrack table;
        public int record;
        /** The lookup's source endpoint opened the connection (the packet goes the connection's way). */
        public boolean fromInitiator;
        public long generation;
        /** The connection was revoked (see {@link #REVOKED}) under {@link #generation}. */
        public boolean revoked;
    }

    /**
     * @param name     counter prefix, e.g. {@code policy-conntrack}
     * @param capacity connections, a power of two ≥ {@value #WAYS}
     */
    public PolicyConnTrack(String name, int capacity, ConnTrackTimeouts timeouts) {
        super("policy", name, capacity, WAYS, timeouts);
        int buckets = capacity * 2 / WAYS;
        this.bucketMask = buckets - 1;
        aHigh = new long[capacity];
        aLow = new long[capacity];
        bHigh = new long[capacity];
        bLow = new long[capacity];
        ports = new int[capacity];
        protocol = new byte[capacity];
        initiator = new byte[capacity];
        generation = new long[capacity];
        index = new int[buckets * WAYS];
    }

    /** Is endpoint (h1, l1, p1) the lower one of the canonical key? Unsigned order of address, then port. */
    static boolean lower(long h1, long l1, int p1, long h2, long l2, int p2) {
        int c = Long.compareUnsigned(h1, h2);
        if (c == 0) {
            c = Long.compareUnsigned(l1, l2);
        }
        return c < 0 || (c == 0 && p1 <= p2);
    }

    private int bucket(Key k) {
        return ((int) (k.hash >>> 32) & bucketMask) * WAYS;
    }

    private boolean matches(int r, Key k) {
        return ports[r] == k.ports() && aLow[r] == k.aLow && bLow[r] == k.bLow && aHigh[r] == k.aHigh
                && bHigh[r] == k.bHigh && protocol[r] == (byte) k.protocol;
    }

    // ---------------------------------------------------------------- owner

    /**
     * Owner: the live record of the connection between the two endpoints (either direction), or
     * {@link #MISS}; a dead record met on the way is removed. On a hit, {@code out} tells the direction.
     */
    public int lookupOwn(Key k, long now, Hit out) {
        int base = bucket(k);
        for (int w = 0; w < WAYS; w++) {
            int v = index[base + w];
            if (v == 0) {
                continue;
            }
            int r = v - 1;
            if (matches(r, k)) {
                if (isDead(r, now)) {
                    expire(r);
                    return MISS;
                }
                out.table = this;
                out.record = r;
                out.fromInitiator = (initiator[r] == INITIATOR_A) == k.srcIsA;
                out.generation = (long) LONGS.getOpaque(generation, r);
                out.revoked = ((byte) BYTES.getOpaque(otherFlags, r) & REVOKED) != 0;
                return r;
            }
        }
        return MISS;
    }

    /**
     * Owner: records a connection opened by the key's source. Returns the record, or {@link #FULL} (no free record,
     * or the key's bucket is full of live connections: the connection goes untracked).
     */
    public int insert(Key k, long gen, int tcpFlags, long now) {
        int base = bucket(k);
        int way = -1;
        for (int w = 0; w < WAYS && way < 0; w++) {
            int v = index[base + w];
            if (v != 0 && isDead(v - 1, now)) {
                expire(v - 1);
                v = 0;
            }
            if (v == 0) {
                way = base + w;
            }
        }
        if (way < 0 || !hasFree()) {
            full++;
            return FULL;
        }
        int r = take();
        aHigh[r] = k.aHigh;
        aLow[r] = k.aLow;
        bHigh[r] = k.bHigh;
        bLow[r] = k.bLow;
        ports[r] = k.ports();
        protocol[r] = (byte) k.protocol;
        initiator[r] = k.srcIsA ? INITIATOR_A : INITIATOR_B;
        LONGS.setOpaque(generation, r, gen);
        fresh(r, k.protocol == TCP ? TcpState.initial(tcpFlags) : TcpState.NONE, way, now);
        publish(r);
        INTS.setRelease(index, way, r + 1);
        return r;
    }

    /** Owner: a packet of the connection passed; refreshes it and advances its TCP state. */
    public void touch(int r, int tcpFlags, long now) {
        if (tcpState[r] != TcpState.NONE) {
            tcpState[r] = (byte) TcpState.next(tcpState[r], tcpFlags);
        }
        lastSeen[r] = now;
    }

    @Override
    protected void unlink(int r) {
        INTS.setRelease(index, slot[r], 0);
        release(r);
    }

    // ---------------------------------------------------------------- any worker

    /**
     * Another worker's table: finds the connection read-only (a sequence-checked read, see the class
     * comment); on a hit fills {@code out} and returns the record, else {@link #MISS}. Dead records are
     * left for their owner.
     */
    public int lookupOther(Key k, long now, Hit out) {
        int base = bucket(k);
        for (int w = 0; w < WAYS; w++) {
            int v = (int) INTS.getAcquire(index, base + w);
            if (v == 0) {
                continue;
            }
            int r = v - 1;
            for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
                long s1 = (long) LONGS.getAcquire(seq, r);
                if ((s1 & 1) != 0) {
                    Thread.onSpinWait();
                    continue;
                }
                boolean match = matches(r, k);
                byte who = initiator[r];
                long gen = (long) LONGS.getOpaque(generation, r);
                int flags = (byte) BYTES.getOpaque(otherFlags, r);
                boolean revoked = (flags & REVOKED) != 0;
                long last = Math.max(lastSeen[r], (long) LONGS.getOpaque(otherSeen, r));
                int state = tcpState[r];
                VarHandle.loadLoadFence();
                if ((long) LONGS.getOpaque(seq, r) != s1) {
                    continue; // rewritten while we read
                }
                if (!match) {
                    break;
                }
                if ((flags & SUPERSEDED) != 0 || now - last > timeouts.forState(state)) {
                    return MISS; // dead (its owner will reclaim it)
                }
                out.table = this;
                out.record = r;
                out.fromInitiator = (who == INITIATOR_A) == k.srcIsA;
                out.generation = gen;
                out.revoked = revoked;
                return r;
            }
        }
        return MISS;
    }

    /**
     * Any worker: the connection is allowed under policy generation {@code gen} (a revocation, if any, is lifted).
     * Opaque stores: two workers racing write the same verdict for the same generation, and a stale writer only
     * costs a re-check.
     */
    public void allowed(int r, long gen) {
        setFlag(r, REVOKED, false);
        LONGS.setOpaque(generation, r, gen);
    }

    /** Any worker: the connection is no longer allowed under generation {@code gen} (it becomes a tombstone). */
    public void revoked(int r, long gen) {
        setFlag(r, REVOKED, true);
        LONGS.setOpaque(generation, r, gen);
    }
}
