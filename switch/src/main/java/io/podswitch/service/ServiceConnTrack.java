package io.podswitch.service;

import io.podswitch.stats.CounterSource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's service connection table: the NAT state of each flow through a service, found from both
 * directions. The owning worker (the one that saw the flow's first packet, client → VIP) is the only
 * writer of the records and of both indexes; any worker may look a reply up in the reverse index, read
 * only, because the reply (backend → client) can arrive on another worker (pods' TAPs and the uplink are
 * polled by different workers). Fixed memory, no allocation per flow or per lookup, no locks.
 *
 * <p>One record (parallel arrays, same index), with its two keys:
 * <pre>
 *  +----------------+----------------+   forward key = (protocol, client:clientPort → vip:vipPort)
 *  | clientHigh     | clientLow      |   reverse key = (protocol, backend:backendPort → snat:snatPort)
 *  | vipHigh        | vipLow         |
 *  | backendHigh    | backendLow     |   DNAT target
 *  | snatHigh       | snatLow        |   source after SNAT (= client unless hairpin / node port)
 *  +----------------+----------------+
 *  | clientPort 16 | vipPort 16  | backendPort 16 | snatPort 16 | protocol 8 |
 *  | service 32    | generation 32 (the entry generation the pin was last checked against) |
 *  | seq 64: seqlock, odd while the owner rewrites the record (readers retry)               |
 *  | lastSeen 64 (owner) | replySeen 64 (reply direction, opaque) |
 *  | tcpState 8 (owner)  | replyFlags 8 (FIN/RST seen in replies, SUPERSEDED; opaque)         |
 *  +---------------------------------------------------------------------------------------+
 * </pre>
 *
 * <p>Indexes: two bucketed hash tables (forward, reverse) of {@value #WAYS} ways per bucket holding
 * record + 1 (0 = empty), sized at twice the record count. Nothing ever moves: a removal clears a way, an
 * insert fills one, so a concurrent reader scanning a bucket can only miss an entry being inserted or
 * removed at that moment — never one that stays. An insert that finds its bucket full of live entries
 * returns {@link #FULL} (the caller falls back to stateless Maglev).
 *
 * <p>Why cross-worker reads are safe: readers load a way with an acquire load (paired with the owner's
 * release store after the record was written), then read the record between two loads of its
 * sequence number; if the owner reused the record meanwhile the numbers differ (or are odd) and the
 * reader retries, so it never uses a torn mix of two flows. A reader holding a stale way after a removal
 * reads an intact removed record, which describes a flow that was valid moments ago — harmless. The
 * reply direction writes only {@code replySeen} and {@code replyFlags}, with opaque stores that the
 * owner reads when it decides expiry; a race there (two repliers, or a reply landing just after the
 * record was reused) can only refresh a record or shorten a timeout once, never corrupt a key.
 */
public final class ServiceConnTrack implements CounterSource {
    public static final int MISS = -1;
    public static final int FULL = -2;
    /** Another live flow already has this reverse key: pick another SNAT port, or go stateless. */
    public static final int CONFLICT = -3;
    /**
     * replyFlags bit: a new connection now uses this flow's translated tuple directly (a SYN from the
     * client straight to the backend with the same ports), so the old service flow is over; its
     * replies must no longer be translated (they belong to the new connection) and it expires at once.
     */
    static final int SUPERSEDED = 0x80;
    static final int WAYS = 8;
    private static final int READ_ATTEMPTS = 4;
    private static final int TCP = 6;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle BYTES = MethodHandles.arrayElementVarHandle(byte[].class);

    private final String name;
    private final ConnTrackTimeouts timeouts;
    private final int capacity;
    private final int bucketMask;
    private final long[] seq;
    private final long[] clientHigh;
    private final long[] clientLow;
    private final long[] vipHigh;
    private final long[] vipLow;
    private final long[] backendHigh;
    private final long[] backendLow;
    private final long[] snatHigh;
    private final long[] snatLow;
    private final int[] frontPorts;
    private final int[] backPorts;
    private final byte[] protocol;
    private final int[] service;
    private final int[] generation;
    private final long[] lastSeen;
    private final long[] replySeen;
    private final byte[] tcpState;
    private final byte[] replyFlags;
    private final int[] forwardPos;
    private final int[] reversePos;
    private final int[] free;
    private int freeTop;
    private final int[] forwardIndex;
    private final int[] reverseIndex;
    private int sweepCursor;
    private volatile int live;

    private long inserted;
    private long expired;
    private long removed;
    private long full;
    private long conflicts;
    private long hits;
    private long misses;

    /**
     * @param name     counter prefix, e.g. {@code service-conntrack.worker0}
     * @param capacity flows, a power of two ≥ {@value #WAYS}
     */
    public ServiceConnTrack(String name, int capacity, ConnTrackTimeouts timeouts) {
        if (capacity < WAYS || Integer.bitCount(capacity) != 1 || capacity > 1 << 24) {
            throw new IllegalArgumentException("service conntrack capacity must be a power of two in ["
                + WAYS + ", 16777216]: " + capacity);
        }
        this.name = name;
        this.timeouts = timeouts;
        this.capacity = capacity;
        int buckets = capacity * 2 / WAYS;
        this.bucketMask = buckets - 1;
        seq = new long[capacity];
        clientHigh = new long[capacity];
        clientLow = new long[capacity];
        vipHigh = new long[capacity];
        vipLow = new long[capacity];
        backendHigh = new long[capacity];
        backendLow = new long[capacity];
        snatHigh = new long[capacity];
        snatLow = new long[capacity];
        frontPorts = new int[capacity];
        backPorts = new int[capacity];
        protocol = new byte[capacity];
        service = new int[capacity];
        generation = new int[capacity];
        lastSeen = new long[capacity];
        replySeen = new long[capacity];
        tcpState = new byte[capacity];
        replyFlags = new byte[capacity];
        forwardPos = new int[capacity];
        reversePos = new int[capacity];
        free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            forwardPos[i] = -1;
            free[i] = capacity - 1 - i;
        }
        freeTop = capacity;
        forwardIndex = new int[buckets * WAYS];
        reverseIndex = new int[buckets * WAYS];
    }

    private int bucket(long hash) {
        return ((int) (hash >>> 32) & bucketMask) * WAYS;
    }

    // ---------------------------------------------------------------- owner: forward direction

    /** Owner: the record of the live flow with this forward key, or {@link #MISS}. Dead records met are removed. */
    public int lookup(int proto, long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort,
                      long now) {
        int base = bucket(FlowHash.hash6(proto, srcHigh, srcLow, dstHigh, dstLow, srcPort, dstPort));
        int ports = srcPort << 16 | dstPort;
        for (int w = 0; w < WAYS; w++) {
            int v = forwardIndex[base + w];
            if (v == 0) {
                continue;
            }
            int r = v - 1;
            if (frontPorts[r] == ports && clientLow[r] == srcLow && vipLow[r] == dstLow && clientHigh[r] == srcHigh
                && vipHigh[r] == dstHigh && protocol[r] == (byte) proto) {
                if (isDead(r, now)) {
                    expired++;
                    delete(r);
                    break;
                }
                hits++;
                return r;
            }
        }
        misses++;
        return MISS;
    }

    /**
     * Owner: records a new flow. Returns its record, {@link #FULL} (no free record, or a bucket full of
     * live flows) or {@link #CONFLICT} (a live flow already has the reverse key).
     *
     * @param state the initial {@link TcpState} ({@link TcpState#NONE} for UDP)
     */
    public int insert(int proto, long cHigh, long cLow, int cPort, long vHigh, long vLow, int vPort,
                      long bHigh, long bLow, int bPort, long sHigh, long sLow, int sPort,
                      int serviceId, int gen, int state, long now) {
        int rBase = bucket(FlowHash.hash6(proto, bHigh, bLow, sHigh, sLow, bPort, sPort));
        int back = bPort << 16 | sPort;
        int rWay = -1;
        for (int w = 0; w < WAYS; w++) {
            int v = reverseIndex[rBase + w];
            if (v != 0) {
                int r = v - 1;
                if (isDead(r, now)) {
                    expired++;
                    delete(r);
                } else if (backPorts[r] == back && backendLow[r] == bLow && snatLow[r] == sLow
                    && backendHigh[r] == bHigh && snatHigh[r] == sHigh && protocol[r] == (byte) proto) {
                    conflicts++;
                    return CONFLICT;
                } else {
                    continue;
                }
            }
            if (rWay < 0) {
                rWay = rBase + w;
            }
        }
        int fBase = bucket(FlowHash.hash6(proto, cHigh, cLow, vHigh, vLow, cPort, vPort));
        int fWay = -1;
        for (int w = 0; w < WAYS && fWay < 0; w++) {
            int v = forwardIndex[fBase + w];
            if (v != 0 && isDead(v - 1, now)) {
                expired++;
                delete(v - 1);
                v = 0;
            }
            if (v == 0) {
                fWay = fBase + w;
            }
        }
        if (rWay < 0 || fWay < 0 || freeTop == 0) {
            full++;
            return FULL;
        }
        int r = free[--freeTop];
        long s = seq[r];
        LONGS.setOpaque(seq, r, s + 1);
        VarHandle.storeStoreFence();
        clientHigh[r] = cHigh;
        clientLow[r] = cLow;
        vipHigh[r] = vHigh;
        vipLow[r] = vLow;
        backendHigh[r] = bHigh;
        backendLow[r] = bLow;
        snatHigh[r] = sHigh;
        snatLow[r] = sLow;
        frontPorts[r] = cPort << 16 | vPort;
        backPorts[r] = back;
        protocol[r] = (byte) proto;
        service[r] = serviceId;
        generation[r] = gen;
        lastSeen[r] = now;
        LONGS.setOpaque(replySeen, r, now);
        tcpState[r] = (byte) state;
        BYTES.setOpaque(replyFlags, r, (byte) 0);
        forwardPos[r] = fWay;
        reversePos[r] = rWay;
        LONGS.setRelease(seq, r, s + 2);
        forwardIndex[fWay] = r + 1;
        INTS.setRelease(reverseIndex, rWay, r + 1);
        inserted++;
        live = live + 1;
        return r;
    }

    /** Owner: a forward packet of the flow was forwarded; refreshes it and advances its TCP state. */
    public void touch(int r, int tcpFlags, long now) {
        int before = tcpState[r];
        int after = TcpState.next(before, tcpFlags);
        if (after == TcpState.SYN_SENT && before != TcpState.SYN_SENT) {
            BYTES.setOpaque(replyFlags, r, (byte) 0); // the tuple is reused by a new connection
        }
        tcpState[r] = (byte) after;
        lastSeen[r] = now;
    }

    /** Owner: the entry generation this pin was last validated against moved on; record the new one. */
    public void revalidated(int r, int gen) {
        generation[r] = gen;
    }

    /** Owner: removes a flow (its backend went away). */
    public void remove(int r) {
        if (forwardPos[r] >= 0) {
            removed++;
            delete(r);
        }
    }

    private void delete(int r) {
        forwardIndex[forwardPos[r]] = 0;
        INTS.setRelease(reverseIndex, reversePos[r], 0);
        forwardPos[r] = -1;
        free[freeTop++] = r;
        live = live - 1;
    }

    private boolean isDead(int r, long now) {
        int flags = (byte) BYTES.getOpaque(replyFlags, r);
        return (flags & SUPERSEDED) != 0
                || timeouts.expired(tcpState[r], flags, lastSeen[r], (long) LONGS.getOpaque(replySeen, r), now);
    }

    /**
     * Slow tick (owner): examines up to {@code budget} records from where the previous sweep stopped and
     * removes dead flows. Returns how many it removed.
     */
    public int sweep(long now, int budget) {
        int removedNow = 0;
        int r = sweepCursor;
        for (int i = 0; i < budget; i++) {
            if (forwardPos[r] >= 0 && isDead(r, now)) {
                expired++;
                delete(r);
                removedNow++;
            }
            r = (r + 1) & (capacity - 1);
        }
        sweepCursor = r;
        return removedNow;
    }

    public long backendHigh(int r) {
        return backendHigh[r];
    }

    public long backendLow(int r) {
        return backendLow[r];
    }

    public int backendPort(int r) {
        return backPorts[r] >>> 16;
    }

    public long snatHigh(int r) {
        return snatHigh[r];
    }

    public long snatLow(int r) {
        return snatLow[r];
    }

    public int snatPort(int r) {
        return backPorts[r] & 0xffff;
    }

    public int service(int r) {
        return service[r];
    }

    public int generation(int r) {
        return generation[r];
    }

    public int tcpState(int r) {
        return tcpState[r];
    }

    // ---------------------------------------------------------------- any worker: reply direction

    /** Any thread: whether the table holds any flow (a cheap filter before {@link #findReply}). */
    public boolean isEmpty() {
        return live == 0;
    }

    /**
     * Any thread: looks up a reply (source = backend, destination = SNAT address) and copies the flow's
     * original addresses into {@code out}. Read-only on this table; see the class comment for why it is
     * safe while the owner writes.
     */
    public boolean findReply(int proto, long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort,
                             NatReply out) {
        int base = bucket(FlowHash.hash6(proto, srcHigh, srcLow, dstHigh, dstLow, srcPort, dstPort));
        int back = srcPort << 16 | dstPort;
        for (int w = 0; w < WAYS; w++) {
            int v = (int) INTS.getAcquire(reverseIndex, base + w);
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
                boolean match = backPorts[r] == back && backendLow[r] == srcLow && snatLow[r] == dstLow
                    && backendHigh[r] == srcHigh && snatHigh[r] == dstHigh && protocol[r] == (byte) proto;
                long ch = clientHigh[r];
                long cl = clientLow[r];
                long vh = vipHigh[r];
                long vl = vipLow[r];
                int front = frontPorts[r];
                int svc = service[r];
                VarHandle.loadLoadFence();
                if ((long) LONGS.getOpaque(seq, r) != s1) {
                    continue; // rewritten while we read: read again
                }
                if (!match || ((byte) BYTES.getOpaque(replyFlags, r) & SUPERSEDED) != 0) {
                    break;
                }
                out.clientHigh = ch;
                out.clientLow = cl;
                out.clientPort = front >>> 16;
                out.vipHigh = vh;
                out.vipLow = vl;
                out.vipPort = front & 0xffff;
                out.service = svc;
                out.table = this;
                out.record = r;
                return true;
            }
        }
        return false;
    }

    /**
     * Any thread: a reply of the flow in record {@code r} was forwarded. Opaque stores only (see the class
     * comment); FIN and RST are remembered for the owner's timeout choice.
     */
    public void touchReply(int r, int proto, int tcpFlags, long now) {
        LONGS.setOpaque(replySeen, r, now);
        int closing = tcpFlags & (TcpState.FIN | TcpState.RST);
        if (proto == TCP && closing != 0) {
            int old = (byte) BYTES.getOpaque(replyFlags, r);
            if ((old & closing) != closing) {
                BYTES.setOpaque(replyFlags, r, (byte) (old | closing));
            }
        }
    }

    /** Any worker: marks the flow {@link #SUPERSEDED} (opaque, like {@link #touchReply}). */
    public void supersede(int r) {
        int old = (byte) BYTES.getOpaque(replyFlags, r);
        BYTES.setOpaque(replyFlags, r, (byte) (old | SUPERSEDED));
    }

    /** Flows present (dead ones count until a probe or sweep reaches them). */
    public int size() {
        return live;
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public void visit(CounterVisitor visitor) {
        visitor.counter(name + ".entries", live);
        visitor.counter(name + ".inserted", inserted);
        visitor.counter(name + ".expired", expired);
        visitor.counter(name + ".removed", removed);
        visitor.counter(name + ".full", full);
        visitor.counter(name + ".conflicts", conflicts);
        visitor.counter(name + ".lookup_hit", hits);
        visitor.counter(name + ".lookup_miss", misses);
    }
}
