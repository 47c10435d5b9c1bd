package io.podswitch.worker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Quiescent-state based reclamation, as DPDK's {@code rte_rcu_qsbr}: tells the control thread when
 * every worker has stopped looking at something it unpublished, so the memory can be reused.
 *
 * <p>The protocol:
 * <ol>
 *   <li>The control thread unpublishes (swaps a table reference, clears a FIB slot), then calls
 *       {@link #start()} to get a token.</li>
 *   <li>Each worker calls {@link #quiescent(int)} in its slow tick, a point where it holds no
 *       reference into any shared table: it copies the current token into its own slot (one acquire
 *       load of the token, one release store; no CAS, no fence).</li>
 *   <li>The control thread polls {@link #check(long)} (or waits in {@link #synchronize}) until every
 *       online worker's slot holds at least the token; then nothing can still see the old data.</li>
 * </ol>
 * Workers that are {@link #offline(int) offline} (stopped, or blocked outside the data path) do not
 * hold references and do not block reclamation. Going {@link #online(int)} copies the current token
 * with a full fence, so a worker that comes online never reads data unpublished before that.
 *
 * <pre>
 *  token (padded)      slot[0]   slot[1]   slot[2]   ... one 128-byte line per worker
 *  +---------+         +-------+ +-------+ +-------+
 *  |   t     |  ---->  | c0    | | c1    | | 0     |   0 = offline; online: ci = last token seen
 *  +---------+         +-------+ +-------+ +-------+
 *  check(t) == every slot is 0 or >= t
 * </pre>
 */
public final class Qsbr {
    /** Slot value of a worker that is offline (tokens start at 1). */
    public static final long OFFLINE = 0;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** 16 longs = 128 bytes: each slot on its own pair of cache lines (adjacent-line prefetch). */
    private static final int STRIDE = 16;
    private static final int TOKEN = STRIDE / 2;

    private final int maxWorkers;
    /** Index TOKEN holds the token; slot i lives at (i + 1) * STRIDE + TOKEN. */
    private final long[] words;

    public Qsbr(int maxWorkers) {
        if (maxWorkers < 1 || maxWorkers > 4096) {
            throw new IllegalArgumentException("maxWorkers must be in [1, 4096]: " + maxWorkers);
        }
        this.maxWorkers = maxWorkers;
        this.words = new long[(maxWorkers + 2) * STRIDE];
        LONGS.setRelease(words, TOKEN, 1L);
    }

    public int maxWorkers() {
        return maxWorkers;
    }

    private int slot(int workerId) {
        if (workerId < 0 || workerId >= maxWorkers) {
            throw new IllegalArgumentException("worker id " + workerId + " outside [0, " + maxWorkers + ")");
        }
        return (workerId + 1) * STRIDE + TOKEN;
    }

    /** The worker starts reading shared tables: it takes part in every grace period from now on. */
    public void online(int workerId) {
        int slot = slot(workerId);
        LONGS.setVolatile(words, slot, (long) LONGS.getVolatile(words, TOKEN));
        // The slot must be visible before the worker's next table read (StoreLoad), as DPDK's
        // rte_rcu_qsbr_thread_online does with a seq_cst fence.
        VarHandle.fullFence();
    }

    /** The worker holds no references and will not read shared tables until {@link #online}. */
    public void offline(int workerId) {
        LONGS.setRelease(words, slot(workerId), OFFLINE);
    }

    /**
     * Reports that the calling worker holds no reference into shared tables right now. Data path
     * cost: one acquire load and one release store. Calling it while offline has no effect.
     */
    public void quiescent(int workerId) {
        int slot = (workerId + 1) * STRIDE + TOKEN;
        if ((long) LONGS.getOpaque(words, slot) != OFFLINE) {
            LONGS.setRelease(words, slot, (long) LONGS.getAcquire(words, TOKEN));
        }
    }

    /** Starts a grace period (control thread, after unpublishing); returns its token. */
    public long start() {
        return (long) LONGS.getAndAdd(words, TOKEN, 1L) + 1;
    }

    /** True once every online worker has been quiescent since {@code token} was issued. */
    public boolean check(long token) {
        for (int i = 0; i < maxWorkers; i++) {
            long seen = (long) LONGS.getAcquire(words, (i + 1) * STRIDE + TOKEN);
            if (seen != OFFLINE && seen < token) {
                return false;
            }
        }
        return true;
    }

    /**
     * Starts a grace period and waits (yielding, then parking briefly) until it ends or the timeout
     * passes. Control thread only. @return true when the grace period ended in time
     */
    public boolean synchronize(long timeout, TimeUnit unit) {
        long token = start();
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (int spins = 0; ; spins++) {
            if (check(token)) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            if (spins < 100) {
                Thread.onSpinWait();
            } else if (spins < 200) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    /** The last token the worker reported, or {@link #OFFLINE}; for diagnostics and tests. */
    public long lastSeen(int workerId) {
        return (long) LONGS.getAcquire(words, slot(workerId));
    }
}
