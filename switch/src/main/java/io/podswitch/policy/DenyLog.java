package io.podswitch.policy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Denied packets as samples, from one worker to the control thread, which logs them with their policy
 * context (the data path never logs). A single-producer single-consumer ring of fixed records; the worker
 * writes at most {@code perSecond} samples a second (a token bucket refilled from the graph clock, burst =
 * one second's worth) and never blocks: a full ring or an empty bucket only counts the sample as suppressed.
 *
 * <pre>
 *  record i (parallel arrays, ring of a power-of-two size):
 *  +---------------------------------------------------------------------+
 *  | nanos 64 | srcHigh 64 | srcLow 64 | dstHigh 64 | dstLow 64          |
 *  | ports 32 (sport 16 | dport 16) | what 32 (see below)                |
 *  +---------------------------------------------------------------------+
 *  what = protocol 8 | ipv6 1 << 8 | egress 1 << 9 | revoked 1 << 10
 *  head (worker, release) ─► records ─► tail (control thread, release)
 * </pre>
 */
public final class DenyLog {
    public static final int IPV6 = 1 << 8;
    public static final int EGRESS = 1 << 9;
    public static final int REVOKED = 1 << 10;
    private static final VarHandle LONG = MethodHandles.arrayElementVarHandle(long[].class);

    private final int mask;
    private final long[] nanos;
    private final long[] srcHigh;
    private final long[] srcLow;
    private final long[] dstHigh;
    private final long[] dstLow;
    private final int[] ports;
    private final int[] what;
    /** [0] head (next record the worker writes), [8] tail (next record the reader takes): padded apart. */
    private final long[] cursors = new long[16];
    private final long perSecond;
    private long tokens;
    private long lastRefill = Long.MIN_VALUE;

    /** One denied packet as read by the control thread. */
    public record Sample(long nanos, long srcHigh, long srcLow, long dstHigh, long dstLow, int sport, int dport,
                         int protocol, boolean ipv6, boolean egress, boolean revoked) {
    }

    /**
     * @param capacity  records in the ring (a power of two)
     * @param perSecond samples the worker may write per second
     */
    public DenyLog(int capacity, int perSecond) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1 || perSecond < 1) {
            throw new IllegalArgumentException("deny log capacity must be a power of two ≥ 2, rate ≥ 1: " + capacity
                    + ", " + perSecond);
        }
        mask = capacity - 1;
        nanos = new long[capacity];
        srcHigh = new long[capacity];
        srcLow = new long[capacity];
        dstHigh = new long[capacity];
        dstLow = new long[capacity];
        ports = new int[capacity];
        what = new int[capacity];
        this.perSecond = perSecond;
        tokens = perSecond;
    }

    /** Worker: refills the bucket from the graph clock (slow tick). */
    public void refill(long now) {
        if (lastRefill == Long.MIN_VALUE) {
            lastRefill = now;
            return;
        }
        long elapsed = now - lastRefill;
        long add = elapsed * perSecond / 1_000_000_000L;
        if (add > 0) {
            tokens = Math.min(perSecond, tokens + add);
            lastRefill = now;
        }
    }

    /** Worker: records one denied packet if the rate and the ring allow it; false when it was suppressed. */
    public boolean offer(long now, long sh, long sl, long dh, long dl, int sport, int dport, int whatBits) {
        long head = cursors[0];
        if (tokens <= 0 || head - (long) LONG.getAcquire(cursors, 8) > mask) {
            return false;
        }
        tokens--;
        int i = (int) head & mask;
        nanos[i] = now;
        srcHigh[i] = sh;
        srcLow[i] = sl;
        dstHigh[i] = dh;
        dstLow[i] = dl;
        ports[i] = sport << 16 | dport;
        what[i] = whatBits;
        LONG.setRelease(cursors, 0, head + 1);
        return true;
    }

    /** Control thread: takes every sample written so far, oldest first. */
    public void drain(java.util.function.Consumer<Sample> consumer) {
        long tail = cursors[8];
        long head = (long) LONG.getAcquire(cursors, 0);
        while (tail < head) {
            int i = (int) tail & mask;
            int w = what[i];
            consumer.accept(new Sample(nanos[i], srcHigh[i], srcLow[i], dstHigh[i], dstLow[i], ports[i] >>> 16,
                    ports[i] & 0xffff, w & 0xff, (w & IPV6) != 0, (w & EGRESS) != 0, (w & REVOKED) != 0));
            tail++;
            LONG.setRelease(cursors, 8, tail);
        }
    }
}
