package io.podswitch.packet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The shared free list of frames: a bounded, lock-free, multi-producer multi-consumer ring of frame
 * indices (the algorithm of DPDK's rte_ring in MP/MC mode and of Vyukov's bounded queue: each slot
 * carries a sequence number, so producers and consumers claim slots with one CAS and never block).
 *
 * <p>Workers do not touch it per packet: each owns a {@link FrameCache} that refills and flushes in
 * bulk, as a DPDK mempool cache does. The ring is sized to hold every frame, so a free never fails.
 */
public final class FramePool {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(FramePool.class, "head", long.class);
            TAIL = lookup.findVarHandle(FramePool.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FrameSlab slab;
    private final int mask;
    private final long[] sequence;
    private final int[] frames;
    // Producer and consumer positions; padded apart so they do not share a cache line.
    @SuppressWarnings("unused") private long p01, p02, p03, p04, p05, p06, p07;
    private volatile long tail;
    @SuppressWarnings("unused") private long p11, p12, p13, p14, p15, p16, p17;
    private volatile long head;
    @SuppressWarnings("unused") private long p21, p22, p23, p24, p25, p26, p27;

    /** A pool that owns every frame of the slab, all free. */
    public FramePool(FrameSlab slab) {
        this.slab = slab;
        int capacity = Integer.highestOneBit(Math.max(2, slab.frameCount()) * 2 - 1);
        this.mask = capacity - 1;
        this.sequence = new long[capacity];
        this.frames = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            sequence[i] = i;
        }
        for (int f = 0; f < slab.frameCount(); f++) {
            if (!offer(f)) {
                throw new IllegalStateException("pool ring too small");
            }
        }
    }

    public FrameSlab slab() {
        return slab;
    }

    /** Returns a frame to the pool. Never fails while the caller returns only frames it owns. */
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
                // The slot's previous frame was claimed by a consumer that has not yet released the
                // slot. Only a truly full ring may refuse: refusing here would lose the frame (callers
                // own it and cannot keep it), so wait for that consumer instead.
                if (pos - (long) HEAD.getVolatile(this) >= mask + 1) {
                    return false;
                }
                Thread.onSpinWait();
                pos = (long) TAIL.getOpaque(this);
            } else {
                pos = (long) TAIL.getOpaque(this);
            }
        }
    }

    /** Takes a free frame, reset to empty with default headroom, or -1 when the pool is empty. */
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
                    slab.reset(frame);
                    return frame;
                }
                pos = (long) HEAD.getOpaque(this);
            } else if (diff < 0) {
                // Empty, unless a producer has claimed this slot and not yet published its frame:
                // then the pool is not exhausted, so wait for it rather than report -1.
                if ((long) TAIL.getVolatile(this) <= pos) {
                    return -1;
                }
                Thread.onSpinWait();
                pos = (long) HEAD.getOpaque(this);
            } else {
                pos = (long) HEAD.getOpaque(this);
            }
        }
    }

    /** Frames currently free in the shared ring (a snapshot; excludes frames in worker caches). */
    public int available() {
        long size = (long) TAIL.getVolatile(this) - (long) HEAD.getVolatile(this);
        return (int) Math.max(0, Math.min(size, slab.frameCount()));
    }
}
