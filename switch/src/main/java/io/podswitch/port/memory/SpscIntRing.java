package io.podswitch.port.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded single-producer single-consumer ring of {@code int}s (frame indices), as a Snabb link:
 * no boxing, no locks; when full the producer is told so and drops. Head and tail each live on their
 * own cache lines, and each side caches the other's position to touch the shared line rarely.
 */
public final class SpscIntRing {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(SpscIntRing.class, "head", long.class);
            TAIL = lookup.findVarHandle(SpscIntRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int[] slots;
    private final int mask;
    @SuppressWarnings("unused") private long p00, p01, p02, p03, p04, p05, p06, p07;
    private long tail;          // next slot the producer writes; read by the consumer with acquire
    private long headCache;     // producer's view of head
    @SuppressWarnings("unused") private long p10, p11, p12, p13, p14, p15, p16, p17;
    private long head;          // next slot the consumer reads; read by the producer with acquire
    private long tailCache;     // consumer's view of tail
    @SuppressWarnings("unused") private long p20, p21, p22, p23, p24, p25, p26, p27;

    /** @param capacity rounded up to a power of two */
    public SpscIntRing(int capacity) {
        if (capacity < 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("ring capacity must be in [1, 2^30]: " + capacity);
        }
        int size = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1);
        this.slots = new int[size];
        this.mask = size - 1;
    }

    public int capacity() {
        return slots.length;
    }

    /** Producer side. @return false when full */
    public boolean offer(int value) {
        long t = tail;
        if (t - headCache >= slots.length) {
            headCache = (long) HEAD.getAcquire(this);
            if (t - headCache >= slots.length) {
                return false;
            }
        }
        slots[(int) t & mask] = value;
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Consumer side. @return the oldest value, or -1 when empty (values must be non-negative) */
    public int poll() {
        long h = head;
        if (h >= tailCache) {
            tailCache = (long) TAIL.getAcquire(this);
            if (h >= tailCache) {
                return -1;
            }
        }
        int value = slots[(int) h & mask];
        HEAD.setRelease(this, h + 1);
        return value;
    }

    /** Entries waiting (a snapshot, any thread). */
    public int size() {
        return (int) ((long) TAIL.getAcquire(this) - (long) HEAD.getAcquire(this));
    }
}
