package io.podswitch.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per-service traffic counters: packets, new connections and no-backend drops per service id. Each worker
 * writes only its own stripe (plain read, release store: no contention, no atomics), a reader sums the
 * stripes with acquire loads. A stripe is padded so that two workers never share a cache line at its edges.
 */
public final class ServiceCounters {
    public static final int PACKETS = 0;
    public static final int NEW_CONNECTIONS = 1;
    public static final int NO_BACKEND = 2;
    private static final int KINDS = 3;
    private static final int PAD = 16;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int workers;
    private final int services;
    private final int stripe;
    private final long[] values;

    public ServiceCounters(int workers, int services) {
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("workers out of range [1, 1024]: " + workers);
        }
        this.workers = workers;
        this.services = services;
        this.stripe = services * KINDS + PAD;
        this.values = new long[workers * stripe + PAD];
    }

    public int workers() {
        return workers;
    }

    /** Worker {@code worker}: adds one to counter {@code kind} of service {@code id}. */
    public void increment(int worker, int id, int kind) {
        int i = PAD + worker * stripe + id * KINDS + kind;
        LONGS.setRelease(values, i, (long) LONGS.get(values, i) + 1);
    }

    /** Sum over all workers. */
    public long get(int id, int kind) {
        if (id < 0 || id >= services) {
            throw new IllegalArgumentException("service id " + id + " outside [0, " + services + ")");
        }
        long sum = 0;
        for (int w = 0; w < workers; w++) {
            sum += (long) LONGS.getAcquire(values, PAD + w * stripe + id * KINDS + kind);
        }
        return sum;
    }

    /** Control thread: zeroes a service's counters when its id is reused for another service. */
    public void reset(int id) {
        for (int w = 0; w < workers; w++) {
            for (int k = 0; k < KINDS; k++) {
                LONGS.setRelease(values, PAD + w * stripe + id * KINDS + k, 0L);
            }
        }
    }
}
