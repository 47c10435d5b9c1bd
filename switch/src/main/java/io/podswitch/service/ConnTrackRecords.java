package io.podswitch.service;

import io.podswitch.stats.CounterSource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The part every per-worker connection table shares ({@link ServiceConnTrack}, the NAT flows, and
 * {@code policy.PolicyConnTrack}, the connections the policy let through): fixed-size records in parallel
 * arrays, a free list, the sequence number that guards a record while its owner rewrites it, the state other
 * workers write with opaque stores (the last packet they saw, FIN/RST/SUPERSEDED flags), the one expiry rule
 * ({@link ConnTrackTimeouts#expired}) and the owner's incremental sweep. Subclasses add their keys, their
 * indexes (the {@link #slot} of a record is its way in the primary index, -1 while the record is free) and
 * the lookups; they unlink a record from their indexes in {@link #unlink} and then call {@link #release}.
 *
 * <pre>
 *  shared per record r:
 *  | seq 64: seqlock, odd while the owner rewrites r (readers on other workers retry)            |
 *  | lastSeen 64 (owner) | otherSeen 64 (opaque: the other direction's worker)                   |
 *  | tcpState 8 (owner)  | otherFlags 8 (opaque: FIN/RST the other worker saw, SUPERSEDED, …)     |
 *  | slot 32 (owner): the record's way in the primary index, -1 = free                           |
 *  free list: free[0 .. freeTop) records not in use (a stack: the last freed is reused first)
 * </pre>
 *
 * <p>Owner-only: everything but {@link #otherSeen}/{@link #otherFlags} (and what subclasses document). The
 * methods here allocate nothing and take no lock; they are final so the JIT inlines them into the workers'
 * paths exactly as the code they replace.
 */
public abstract class ConnTrackRecords implements CounterSource {
    /**
     * otherFlags bit: a new connection now uses this record's tuple, so the record is over (its owner
     * removes it at the next look).
     */
    public static final int SUPERSEDED = 0x80;
    protected static final int TCP = 6;
    protected static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    protected static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    protected static final VarHandle BYTES = MethodHandles.arrayElementVarHandle(byte[].class);

    protected final String name;
    protected final ConnTrackTimeouts timeouts;
    protected final int capacity;
    protected final long[] seq;
    protected final long[] lastSeen;
    protected final long[] otherSeen;
    protected final byte[] tcpState;
    protected final byte[] otherFlags;
    protected final int[] slot;
    private final int[] free;
    private int freeTop;
    private int sweepCursor;
    private volatile int live;

    protected long inserted;
    protected long expired;
    protected long removed;
    protected long full;

    /**
     * @param kind     what the table holds, for the capacity message ("service", "policy")
     * @param name     counter prefix
     * @param capacity records, a power of two in [{@code minCapacity}, 2^24]
     */
    protected ConnTrackRecords(String kind, String name, int capacity, int minCapacity, ConnTrackTimeouts timeouts) {
        if (capacity < minCapacity || Integer.bitCount(capacity) != 1 || capacity > 1 << 24) {
            throw new IllegalArgumentException(kind + " conntrack capacity must be a power of two in [" + minCapacity
                    + ", 16777216]: " + capacity);
        }
        this.name = name;
        this.timeouts = timeouts;
        this.capacity = capacity;
        seq = new long[capacity];
        lastSeen = new long[capacity];
        otherSeen = new long[capacity];
        tcpState = new byte[capacity];
        otherFlags = new byte[capacity];
        slot = new int[capacity];
        free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            slot[i] = -1;
            free[i] = capacity - 1 - i;
        }
        freeTop = capacity;
    }

    // ---------------------------------------------------------------- owner: record life cycle

    /** Owner: whether a record is free to take ({@link #take} would succeed). */
    protected final boolean hasFree() {
        return freeTop != 0;
    }

    /**
     * Owner: takes a free record (check {@link #hasFree} first) and opens its rewrite: the sequence number
     * turns odd, so readers on other workers retry until {@link #publish}. Returns the record.
     */
    protected final int take() {
        int r = free[--freeTop];
        LONGS.setOpaque(seq, r, seq[r] + 1);
        VarHandle.storeStoreFence();
        return r;
    }

    /**
     * Owner: sets the shared state of a new record ({@link #take} opened it): seen now by both sides, no
     * flags, {@code state} its initial {@link TcpState} ({@link TcpState#NONE} for UDP/other), {@code way}
     * its slot in the primary index.
     */
    protected final void fresh(int r, int state, int way, long now) {
        lastSeen[r] = now;
        LONGS.setOpaque(otherSeen, r, now);
        tcpState[r] = (byte) state;
        BYTES.setOpaque(otherFlags, r, (byte) 0);
        slot[r] = way;
    }

    /**
     * Owner: closes the rewrite of a record (the sequence number turns even again, with release semantics:
     * a reader that sees it sees the record); the caller then links it into its indexes with release stores.
     */
    protected final void publish(int r) {
        LONGS.setRelease(seq, r, seq[r] + 1);
        inserted++;
        live = live + 1;
    }

    /** Subclass: clears the record's ways in its indexes (release stores where other workers read) and calls {@link #release}. */
    protected abstract void unlink(int r);

    /** Owner: the record's ways are cleared; it goes back to the free list. */
    protected final void release(int r) {
        slot[r] = -1;
        free[freeTop++] = r;
        live = live - 1;
    }

    /** Owner: a dead record met by a lookup, an insert or the sweep goes. */
    protected final void expire(int r) {
        expired++;
        unlink(r);
    }

    /** Owner: forgets a connection (its tuple is reused by a new one, or its backend went away). */
    public final void remove(int r) {
        if (slot[r] >= 0) {
            removed++;
            unlink(r);
        }
    }

    /**
     * Owner: whether the record is over — superseded, or idle past its state's timeout by the later of both
     * directions' last packets ({@link ConnTrackTimeouts#expired}).
     */
    protected final boolean isDead(int r, long now) {
        int flags = (byte) BYTES.getOpaque(otherFlags, r);
        return (flags & SUPERSEDED) != 0
                || timeouts.expired(tcpState[r], flags, lastSeen[r], (long) LONGS.getOpaque(otherSeen, r), now);
    }

    /**
     * Slow tick (owner): examines up to {@code budget} records from where the previous sweep stopped and
     * removes the dead ones. Returns how many it removed.
     */
    public final int sweep(long now, int budget) {
        int removedNow = 0;
        int r = sweepCursor;
        for (int i = 0; i < budget; i++) {
            if (slot[r] >= 0 && isDead(r, now)) {
                expire(r);
                removedNow++;
            }
            r = (r + 1) & (capacity - 1);
        }
        sweepCursor = r;
        return removedNow;
    }

    // ---------------------------------------------------------------- any worker

    /**
     * Any worker but the owner: a packet of the record's connection passed (opaque stores; FIN and RST are
     * remembered for the owner's timeout choice). A race (two such workers, or a packet landing just after
     * the record was reused) can only refresh a record or shorten a timeout once, never corrupt a key.
     */
    public final void touchOther(int r, int proto, int tcpFlags, long now) {
        LONGS.setOpaque(otherSeen, r, now);
        int closing = tcpFlags & (TcpState.FIN | TcpState.RST);
        if (proto == TCP && closing != 0) {
            int old = (byte) BYTES.getOpaque(otherFlags, r);
            if ((old & closing) != closing) {
                BYTES.setOpaque(otherFlags, r, (byte) (old | closing));
            }
        }
    }

    /** Any worker: marks the record {@link #SUPERSEDED} (opaque, like {@link #touchOther}). */
    public final void supersede(int r) {
        setFlag(r, SUPERSEDED, true);
    }

    /** Any worker: sets or clears an {@link #otherFlags} bit (opaque; no store when it already is so). */
    protected final void setFlag(int r, int bit, boolean on) {
        int old = (byte) BYTES.getOpaque(otherFlags, r);
        int next = on ? old | bit : old & ~bit;
        if (next != old) {
            BYTES.setOpaque(otherFlags, r, (byte) next);
        }
    }

    /** Any thread: whether the table holds a record (a cheap filter before looking into another worker's table). */
    public final boolean isEmpty() {
        return live == 0;
    }

    /** Records in use (dead ones count until a lookup or the sweep reaches them). */
    public final int size() {
        return live;
    }

    public final int capacity() {
        return capacity;
    }

    @Override
    public void visit(CounterVisitor visitor) {
        visitor.counter(name + ".entries", live);
        visitor.counter(name + ".inserted", inserted);
        visitor.counter(name + ".expired", expired);
        visitor.counter(name + ".removed", removed);
        visitor.counter(name + ".full", full);
    }
}
