package io.podswitch.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Per-service traffic counters: packets, new connections and no-backend drops per service id. Each worker
 * writes only its own stripe (plain read, release store: no contention, no atomics), a reader sums the
 * stripes with acquire loads. A stripe is padded so that two workers never share a cache line at its edges.
 *
 * <p>Ids are grouped in pages of {@value #PAGE_IDS}; the table grows (control thread) by publishing a longer
 * page array that holds the same page objects plus new ones, so a worker still incrementing through the old
 * array writes into a page that stays in use: growth loses no count and never blocks a worker.
 * <pre>
 *   pages[id / 1024]:  PAD | worker 0: id 0 (packets, new connections, no backend), id 1, ... | PAD | worker 1 ...
 * </pre>
 */
public final class ServiceCounters {
    public static final int PACKETS = 0;
    public static final int NEW_CONNECTIONS = 1;
    public static final int NO_BACKEND = 2;
    static final int PAGE_IDS = 1024;
    private static final int KINDS = 3;
    private static final int PAD = 16;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int workers;
    private final int stripe;
    private volatile long[][] pages;

    public ServiceCounters(int workers, int services) {
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("workers out of range [1, 1024]: " + workers);
        }
        this.workers = workers;
        this.stripe = PAGE_IDS * KINDS + PAD;
        this.pages = new long[0][];
        ensureCapacity(services);
    }

    public int workers() {
        return workers;
    }

    /** Ids that have counters. */
    public int capacity() {
        return pages.length * PAGE_IDS;
    }

    /** Control thread: makes room for ids {@code 0..services-1} (never shrinks). */
    public void ensureCapacity(int services) {
        long[][] current = pages;
        int needed = (services + PAGE_IDS - 1) / PAGE_IDS;
        if (needed <= current.length) {
            return;
        }
        long[][] grown = Arrays.copyOf(current, needed);
        for (int p = current.length; p < needed; p++) {
            grown[p] = new long[workers * stripe + PAD];
        }
        pages = grown;
    }

    /** Worker {@code worker}: adds one to counter {@code kind} of service {@code id}. */
    public void increment(int worker, int id, int kind) {
        long[] page = pages[id >>> 10];
        int i = PAD + worker * stripe + (id & (PAGE_IDS - 1)) * KINDS + kind;
        LONGS.setRelease(page, i, (long) LONGS.get(page, i) + 1);
    }

    /** Sum over all workers. */
    public long get(int id, int kind) {
        long[][] p = pages;
        if (id < 0 || id >= p.length * PAGE_IDS) {
            throw new IllegalArgumentException("service id " + id + " outside [0, " + p.length * PAGE_IDS + ")");
        }
        long[] page = p[id >>> 10];
        int base = PAD + (id & (PAGE_IDS - 1)) * KINDS + kind;
        long sum = 0;
        for (int w = 0; w < workers; w++) {
            sum += (long) LONGS.getAcquire(page, base + w * stripe);
        }
        return sum;
    }

    /** Control thread: zeroes a service's counters when its id is reused for another service. */
    public void reset(int id) {
        long[] page = pages[id >>> 10];
        int base = PAD + (id & (PAGE_IDS - 1)) * KINDS;
        for (int w = 0; w < workers; w++) {
            for (int k = 0; k < KINDS; k++) {
                LONGS.setRelease(page, base + w * stripe + k, 0L);
            }
        }
    }
}
