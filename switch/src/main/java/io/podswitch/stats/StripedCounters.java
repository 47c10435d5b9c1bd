package io.podswitch.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters per (id, kind) written by several workers without contention: each worker owns a stripe and
 * adds with a plain read and a release store (no atomics, no shared cache lines: stripes are padded), a
 * reader sums the stripes with acquire loads. Used for per-policy counters.
 */
public final class StripedCounters {
    private static final int PAD = 16;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int workers;
    private final int ids;
    private final int kinds;
    private final int stripe;
    private final long[] values;

    public StripedCounters(int workers, int ids, int kinds) {
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("workers out of range [1, 1024]: " + workers);
        }
        if (ids < 1 || kinds < 1 || (long) ids * kinds * workers > 1 << 28) {
            throw new IllegalArgumentException("counter table too large: " + ids + " ids × " + kinds + " kinds × "
                    + workers + " workers");
        }
        this.workers = workers;
        this.ids = ids;
        this.kinds = kinds;
        this.stripe = ids * kinds + PAD;
        this.values = new long[workers * stripe + PAD];
    }

    public int workers() {
        return workers;
    }

    public int ids() {
        return ids;
    }

    /** Worker {@code worker} adds {@code n} to counter {@code kind} of {@code id} (the data path: no checks). */
    public void add(int worker, int id, int kind, long n) {
        int i = PAD + worker * stripe + id * kinds + kind;
        LONGS.setRelease(values, i, (long) LONGS.get(values, i) + n);
    }

    /** Sum over all workers. */
    public long get(int id, int kind) {
        if (id < 0 || id >= ids || kind < 0 || kind >= kinds) {
            throw new IllegalArgumentException("counter (" + id + ", " + kind + ") outside " + ids + " × " + kinds);
        }
        long sum = 0;
        for (int w = 0; w < workers; w++) {
            sum += (long) LONGS.getAcquire(values, PAD + w * stripe + id * kinds + kind);
        }
        return sum;
    }

    /** Control thread: zeroes an id's counters before the id is reused. Racy against a worker still counting for the old owner: at most a few counts land in the new one. */
    public void reset(int id) {
        for (int w = 0; w < workers; w++) {
            for (int k = 0; k < kinds; k++) {
                LONGS.setRelease(values, PAD + w * stripe + id * kinds + k, 0L);
            }
        }
    }
}
