package io.podswitch.service;

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
 *  | lastSeen 64 (owner) | otherSeen 64 (reply direction, opaque) |
 *  | tcpState 8 (owner)  | otherFlags 8 (FIN/RST seen in replies, SUPERSEDED; opaque)         |
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
 * reply direction writes only {@code otherSeen} and {@code otherFlags}, with opaque stores that the
 * owner reads when it decides expiry; a race there (two repliers, or a reply landing just after the
 * record was reused) can only refresh a record or shorten a timeout once, never corrupt a key. The
 * sequence number, the free list, expiry and the sweep are {@link ConnTrackRecords}, shared with the
 * policy's connection table.
 */
public final class ServiceConnTrack extends ConnTrackRecords {
    public static final int MISS = -1;
    public static final int FULL = -2;
    /** Another live flow already has this reverse key: pick another SNAT port, or go stateless. */
    public static final int CONFLICT = -3;
    // SUPERSEDED (ConnTrackRecords): a new connection now uses this flow's translated tuple directly (a SYN
    // from the client straight to the backend with the same ports), so the old service flow is over; its
    // replies must no longer be translated (they belong to the new connection) and it expires at once.
    static final int WAYS = 8;
    private static final int READ_ATTEMPTS = 4;

    private final int bucketMask;
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
    /** The record's way in the reverse index (its forward way is {@link #slot}). */
    private final int[] reversePos;
    private final int[] forwardIndex;
    private final int[] reverseIndex;

    private long conflicts;
    private long hits;
    private long misses;

    /**
     * @param name     counter prefix, e.g. {@code service-conntrack.worker0}
     * @param capacity flows, a power of two ≥ {@value #WAYS}
     */
    public ServiceConnTrack(String name, int capacity, ConnTrackTimeouts timeouts) {
        super("service", name, capacity, WAYS, timeouts);
        int buckets = capacity * 2 / WAYS;
        this.bucketMask = buckets - 1;
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
        reversePos = new int[capacity];
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
                    expire(r);
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
                    expire(r);
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
                expire(v - 1);
                v = 0;
            }
            if (v == 0) {
                fWay = fBase + w;
            }
        }
        if (rWay < 0 || fWay < 0 || !hasFree()) {
            full++;
            return FULL;
        }
        int r = take();
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
        fresh(r, state, fWay, now);
        reversePos[r] = rWay;
        publish(r);
        forwardIndex[fWay] = r + 1;
        INTS.setRelease(reverseIndex, rWay, r + 1);
        return r;
    }

    /**
     * Owner: a forward packet of the flow was forwarded; refreshes it and advances its TCP state.
     *
     * @return true when the packet opens a new connection on the flow's tuple (a SYN after the last one closed)
     */
    public boolean touch(int r, int tcpFlags, long now) {
        int before = tcpState[r];
        int after = TcpState.next(before, tcpFlags);
        boolean reused = after == TcpState.SYN_SENT && before != TcpState.SYN_SENT;
        if (reused) {
            BYTES.setOpaque(otherFlags, r, (byte) 0); // the tuple is reused by a new connection
        }
        tcpState[r] = (byte) after;
        lastSeen[r] = now;
        return reused;
    }

    /** Owner: the entry generation this pin was last validated against moved on; record the new one. */
    public void revalidated(int r, int gen) {
        generation[r] = gen;
    }

    @Override
    protected void unlink(int r) {
        forwardIndex[slot[r]] = 0;
        INTS.setRelease(reverseIndex, reversePos[r], 0);
        release(r);
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
                if (!match || ((byte) BYTES.getOpaque(otherFlags, r) & SUPERSEDED) != 0) {
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

    @Override
    public void visit(CounterVisitor visitor) {
        super.visit(visitor);
        visitor.counter(name + ".conflicts", conflicts);
        visitor.counter(name + ".lookup_hit", hits);
        visitor.counter(name + ".lookup_miss", misses);
    }
}
