package io.podswitch.port.ring;

import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.IoUring;
import io.podswitch.nativeio.NativeException;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import java.lang.foreign.Arena;

/**
 * A worker thread's io_uring: every TAP read and write of the thread goes through it, so one
 * {@code io_uring_enter} carries a whole burst of writes, and reads are armed once per queue
 * (multishot, into {@link FrameBuffers}) instead of polled with a {@code read} per queue per cycle.
 *
 * <pre>
 *   duty cycle:  poll() ── taskRunPending? / SQEs pending? ──yes──► io_uring_enter(GETEVENTS): submits,
 *                  │                                                runs the armed reads' completion work
 *                  └──► dispatch(): every CQE to its RingClient (a TAP queue's reader, a write batch)
 *   user_data:   client id (upper 32 bits) | the client's index (lower 32)
 * </pre>
 *
 * Set up with {@code SINGLE_ISSUER | DEFER_TASKRUN | TASKRUN_FLAG}: armed reads complete only inside
 * this thread's own {@code io_uring_enter}, and the kernel raises a flag in shared memory when one has
 * work, so a cycle in which nothing arrived costs no system call at all. The thread that opens the ring
 * is its only user ({@link #current}); opened and closed by the worker on its own thread.
 */
public final class ThreadRing implements AutoCloseable {
    /** Submission slots; completions get twice as many. */
    public static final int ENTRIES = 512;
    /** Frames of 2 KiB lent to the kernel for TAPs without offloads, per thread (when one is read). */
    public static final int NORMAL_BUFFERS = 128;
    /** Large frames (64 KiB super-frames) lent to the kernel for offloading TAPs, per thread. */
    public static final int LARGE_BUFFERS = 32;
    private static final int SETUP = IoUring.SETUP_SINGLE_ISSUER | IoUring.SETUP_DEFER_TASKRUN
            | IoUring.SETUP_TASKRUN_FLAG | IoUring.SETUP_SUBMIT_ALL;
    private static final int MAX_GROUPS = 4;
    private static final ThreadLocal<ThreadRing> CURRENT = new ThreadLocal<>();

    /** Client id of the thread's writes ({@link #settleWrites}). */
    private static final int WRITES = 0;

    private final IoUring uring;
    private final FrameCache cache;
    private final Thread owner;
    private final Arena arena = Arena.ofShared();
    private final boolean fixedSlab;
    private RingClient[] clients = new RingClient[16];
    private final Writes writes = new Writes();
    private final FrameBuffers[] groups = new FrameBuffers[MAX_GROUPS];
    private int groupCount;
    private boolean closed;

    private ThreadRing(IoUring uring, FrameCache cache, boolean fixedSlab) {
        this.uring = uring;
        this.cache = cache;
        this.owner = Thread.currentThread();
        this.fixedSlab = fixedSlab;
        clients[WRITES] = writes;
    }

    /**
     * Opens the calling thread's ring ({@link #current} returns it from now on), reading into and
     * writing from frames of {@code cache}'s slab.
     * @throws NativeException when the kernel refuses (io_uring disabled by sysctl or a seccomp profile,
     *     a kernel before 6.1): the caller goes on with plain system calls
     */
    public static ThreadRing open(FrameCache cache) {
        if (CURRENT.get() != null) {
            throw new IllegalStateException(Thread.currentThread().getName() + " already has a ring");
        }
        IoUring uring = IoUring.create(ENTRIES, SETUP);
        boolean fixed;
        try {
            // The whole slab as fixed buffer 0: its pages are pinned once, not looked up per write.
            uring.registerBuffer(cache.slab().memory(), Thread.currentThread().getName());
            fixed = true;
        } catch (NativeException e) {
            fixed = false; // e.g. RLIMIT_MEMLOCK without CAP_IPC_LOCK: plain writes, same data path
        }
        ThreadRing ring = new ThreadRing(uring, cache, fixed);
        CURRENT.set(ring);
        return ring;
    }

    /** The calling thread's ring, or null (no ring opened on this thread). */
    public static ThreadRing current() {
        return CURRENT.get();
    }

    public IoUring uring() {
        return uring;
    }

    public FrameCache cache() {
        return cache;
    }

    public FrameSlab slab() {
        return cache.slab();
    }

    /** Is the frame slab registered (writes from frames may use {@code WRITE_FIXED})? */
    public boolean hasFixedSlab() {
        return fixedSlab;
    }

    /** The user data of the {@code slot}-th write of the batch being issued ({@link #settleWrites}). */
    public long writeUserData(int slot) {
        return userData(WRITES, slot);
    }

    /**
     * Submits the {@code count} writes of the batch (prepared with {@link #writeUserData} 0..count-1)
     * and waits until each has completed — tun takes writes inline, so normally they all have when the
     * one {@code io_uring_enter} returns — putting write {@code i}'s result (bytes, or -errno) in
     * {@code results[i]}. Completions of armed reads that arrive meanwhile go to their clients.
     */
    public void settleWrites(int count, long[] results) {
        Writes w = writes;
        w.results = results;
        w.done = 0;
        submitAndDispatch();
        while (w.done < count) {
            awaitCompletions(1_000_000);
        }
        w.results = null;
    }

    /** The results of the batch of writes being settled. */
    private static final class Writes extends RingClient {
        long[] results;
        int done;

        @Override
        protected void complete(int index, int result, int flags) {
            results[index] = result;
            done++;
        }
    }

    /** Gives {@code client} an id for {@link #userData}. Owner thread, control path. */
    public int register(RingClient client) {
        for (int id = WRITES + 1; id < clients.length; id++) {
            if (clients[id] == null) {
                clients[id] = client;
                return id;
            }
        }
        int id = clients.length;
        clients = java.util.Arrays.copyOf(clients, id * 2);
        clients[id] = client;
        return id;
    }

    /** Forgets a client (none of its requests may still be in flight). */
    public void unregister(int id) {
        clients[id] = null;
    }

    /** The user data of client {@code id}'s request number {@code index}. */
    public static long userData(int id, int index) {
        return (long) id << 32 | (index & 0xffffffffL);
    }

    /**
     * The buffer group for reads of frames {@code large} or not with {@code lead} header bytes in front,
     * made (and its frames lent to the kernel) on first use. Owner thread, control path.
     * @throws NativeException when the kernel refuses the group (before 5.19)
     */
    public FrameBuffers buffers(boolean large, int lead) {
        for (int i = 0; i < groupCount; i++) {
            if (groups[i].large() == large && groups[i].lead() == lead) {
                return groups[i];
            }
        }
        if (groupCount == MAX_GROUPS) {
            throw new IllegalStateException("more than " + MAX_GROUPS + " buffer groups on one ring");
        }
        FrameBuffers b = new FrameBuffers(arena, groupCount, large ? LARGE_BUFFERS : NORMAL_BUFFERS, large, lead, cache);
        try {
            uring.registerBufferRing(b.ring().memory(), b.ring().entries(), b.group(), owner.getName());
        } catch (NativeException e) {
            b.release(cache);
            throw e;
        }
        groups[groupCount++] = b;
        return b;
    }

    /**
     * Once per duty cycle: enters the kernel only when there is something to submit or an armed read
     * has completion work waiting, then hands every completion to its client. Allocation free.
     * @return completions handed out
     */
    public int poll() {
        if (uring.pending() > 0 || uring.taskRunPending()) {
            uring.submit();
        }
        return dispatch();
    }

    /** Submits what is pending and hands out completions (after a batch of writes). */
    public int submitAndDispatch() {
        uring.submit();
        return dispatch();
    }

    /**
     * Submits what is pending, then sleeps until a completion arrives or {@code timeoutNanos} pass,
     * and hands out what completed. For a client waiting for its own requests (a write the kernel
     * could not finish inline).
     */
    public int awaitCompletions(long timeoutNanos) {
        int rc = uring.submitAndWait(timeoutNanos);
        if (rc < 0 && rc != -Errno.ETIME && rc != -Errno.EINTR && rc != -Errno.EAGAIN && rc != -Errno.EBUSY) {
            return -1;
        }
        return dispatch();
    }

    /** Hands every ready completion to its client. */
    public int dispatch() {
        IoUring u = uring;
        int n = u.ready();
        RingClient[] c = clients;
        for (int i = 0; i < n; i++) {
            long userData = u.cqeUserData(i);
            int id = (int) (userData >>> 32);
            RingClient client = id < c.length ? c[id] : null;
            if (client != null) {
                client.complete((int) userData, u.cqeResult(i), u.cqeFlags(i));
            }
        }
        if (n > 0) {
            u.advance(n);
        }
        return n;
    }

    /** Refills buffer groups that lost frames while the pool was empty (slow tick). */
    public void refill() {
        for (int i = 0; i < groupCount; i++) {
            if (groups[i].missing() > 0) {
                groups[i].refill(cache);
            }
        }
    }

    /**
     * Closes the ring on its own thread (every client has detached: no read is armed); the frames lent
     * to the kernel go back to the cache.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < groupCount; i++) {
            try {
                uring.unregisterBufferRing(groups[i].group(), owner.getName());
            } catch (NativeException ignored) {
                // closing the ring drops the group anyway
            }
        }
        uring.close();
        for (int i = 0; i < groupCount; i++) {
            groups[i].release(cache);
        }
        if (CURRENT.get() == this) {
            CURRENT.remove();
        }
        arena.close();
    }
}
