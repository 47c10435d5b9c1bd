package io.podswitch.packet;

/**
 * A worker's private stash of free frames in front of the shared {@link FramePool}, as DPDK's
 * per-lcore mempool cache: allocation and free are an array access, and the shared ring is touched
 * only in bulk when the cache runs empty or overflows. Not thread-safe: one owner thread.
 */
public final class FrameCache {
    private final FramePool pool;
    private final FrameSlab slab;
    private final int[] stack;
    private final int refill;
    private int size;

    /** @param capacity how many frames the cache may hold before it flushes half to the pool. */
    public FrameCache(FramePool pool, int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("cache capacity must be at least 2");
        }
        this.pool = pool;
        this.slab = pool.slab();
        this.stack = new int[capacity];
        this.refill = capacity / 2;
    }

    public FrameSlab slab() {
        return slab;
    }

    /** An empty frame with default headroom, or -1 when the whole pool is exhausted. */
    public int allocate() {
        if (size == 0) {
            for (int i = 0; i < refill; i++) {
                int f = pool.poll();
                if (f < 0) {
                    break;
                }
                stack[size++] = f;
            }
            if (size == 0) {
                return -1;
            }
        }
        int frame = stack[--size];
        slab.reset(frame);
        return frame;
    }

    /**
     * An empty large frame (for a GSO super-frame, see {@link FrameSlab}) taken straight from the
     * pool, or -1 when none is free. Freed with {@link #free} like any frame.
     */
    public int allocateLarge() {
        return pool.pollLarge();
    }

    /** Gives a frame back (normal or large); the caller must not touch it afterwards. */
    public void free(int frame) {
        if (slab.isLarge(frame)) {
            pool.offer(frame); // few and big: not worth caching
            return;
        }
        if (size == stack.length) {
            for (int i = 0; i < refill; i++) {
                pool.offer(stack[--size]);
            }
        }
        stack[size++] = frame;
    }

    /** Frees every packet of the vector and clears it. */
    public void freeAll(PacketVector vector) {
        int n = vector.size();
        for (int i = 0; i < n; i++) {
            free(vector.frame(i));
        }
        vector.clear();
    }

    /** Returns every cached frame to the pool (on worker shutdown). */
    public void flush() {
        while (size > 0) {
            pool.offer(stack[--size]);
        }
    }

    public int cached() {
        return size;
    }
}
