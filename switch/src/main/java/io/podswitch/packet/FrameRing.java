package io.podswitch.packet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded, lock-free, multi-producer multi-consumer ring of frame indices (the algorithm of DPDK's
 * rte_ring in MP/MC mode and of Vyukov's bounded queue: each slot carries a sequence number, so
 * producers and consumers claim slots with one CAS). {@link FramePool} keeps one for the normal
 * frames and one for the large frames of a {@link FrameSlab}.
 *
 * <p>A slot is claimed (CAS) before it is filled or emptied (release store of its sequence). A thread
 * that finds its slot still in the other state although the positions say the ring is neither full
 * nor empty spins until the claimant finishes, as rte_ring's tail update waits for earlier ones:
 * otherwise a ring sized to hold every frame could refuse a free, or report empty while holding
 * frames, whenever a claimant is preempted between its two steps.
 */
public final class FrameRing {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(FrameRing.class, "head", long.class);
            TAIL = lookup.findVarHandle(FrameRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int mask;
    private final int bound;
    private final long[] sequence;
    private final int[] frames;
    // Producer and consumer positions; padded apart so they do not share a cache line.
    @SuppressWarnings("unused") private long p01, p02, p03, p04, p05, p06, p07;
    private volatile long tail;
    @SuppressWarnings("unused") private long p11, p12, p13, p14, p15, p16, p17;
    private volatile long head;
    @SuppressWarnings("unused") private long p21, p22, p23, p24, p25, p26, p27;

    /** An empty ring that can hold at least {@code bound} frames (rounded up to a power of two). */
    public FrameRing(int bound) {
        if (bound < 0) {
            throw new IllegalArgumentException("bound must not be negative: " + bound);
        }
        int capacity = Integer.highestOneBit(Math.max(2, bound) * 2 - 1);
        this.mask = capacity - 1;
        this.bound = bound;
        this.sequence = new long[capacity];
        this.frames = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            sequence[i] = i;
        }
    }

    /** Adds a frame; false only when the ring is full. */
    public boolean offer(int frame) {
        long pos = (long) TAIL.getOpaque(this);
        for (;;) {
            int slot = (int) pos & mask;
            long seq = (long) LONGS.getAcquire(sequence, slot);
            long diff = seq - pos;
            if (diff == 0) {
                if (TAIL.compareAndSet(this, pos, pos + 1)) {
                    frames[slot] = frame;
                    LONGS.setRelease(sequence, slot, pos + 1);
                    return true;
                }
                pos = (long) TAIL.getOpaque(this);
            } else if (diff < 0) {
                if (pos - (long) HEAD.getVolatile(this) <= mask) {
                    // Not full: the consumer that claimed this slot one lap ago has not released it
                    // yet. Wait for it rather than report a full ring that is not (a pool ring that
                    // holds every frame would otherwise refuse a free).
                    Thread.onSpinWait();
                    pos = (long) TAIL.getOpaque(this);
                    continue;
                }
                return false;
            } else {
                pos = (long) TAIL.getOpaque(this);
            }
        }
    }

    /** Takes a frame, or -1 when the ring is empty. */
    public int poll() {
        long pos = (long) HEAD.getOpaque(this);
        for (;;) {
            int slot = (int) pos & mask;
            long seq = (long) LONGS.getAcquire(sequence, slot);
            long diff = seq - (pos + 1);
            if (diff == 0) {
                if (HEAD.compareAndSet(this, pos, pos + 1)) {
                    int frame = frames[slot];
                    LONGS.setRelease(sequence, slot, pos + mask + 1);
                    return frame;
                }
                pos = (long) HEAD.getOpaque(this);
            } else if (diff < 0) {
                if ((long) TAIL.getVolatile(this) > pos) {
                    // Not empty: a producer claimed this slot and is about to publish its frame.
                    Thread.onSpinWait();
                    pos = (long) HEAD.getOpaque(this);
                    continue;
                }
                return -1;
            } else {
                pos = (long) HEAD.getOpaque(this);
            }
        }
    }

    /** Frames in the ring now (a snapshot, clamped to [0, bound]). */
    public int size() {
        long size = (long) TAIL.getVolatile(this) - (long) HEAD.getVolatile(this);
        return (int) Math.max(0, Math.min(size, bound));
    }
}
