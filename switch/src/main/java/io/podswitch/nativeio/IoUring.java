package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * An io_uring instance for one thread: submission and completion rings shared with the kernel,
 * reached through {@code syscall(__NR_io_uring_setup/enter/register)} (glibc has no wrappers). Many
 * reads and writes go to the kernel in one {@code io_uring_enter}; completions are read from memory.
 *
 * <pre>
 *   io_uring_params (120 bytes, filled by io_uring_setup)
 *    0 sq_entries  4 cq_entries  8 flags  12 sq_thread_cpu  16 sq_thread_idle  20 features  24 wq_fd
 *   40 sq_off: head tail ring_mask ring_entries flags dropped array resv1 user_addr(u64)
 *   80 cq_off: head tail ring_mask ring_entries overflow cqes flags resv1 user_addr(u64)
 *
 *   one mapping (IORING_FEAT_SINGLE_MMAP) at IORING_OFF_SQ_RING:
 *   +------+------+-------+-------+------------------+------+------+-----------------------------+
 *   |sqhead|sqtail| ...   |sqflags| sq array (u32 n) |cqhead|cqtail| cqes: 16 bytes each         |
 *   +------+------+-------+-------+------------------+------+------+-----------------------------+
 *   SQEs (64 bytes each) at IORING_OFF_SQES:
 *    0 opcode(u8) 1 flags(u8) 2 ioprio(u16) 4 fd(s32) 8 off(u64) 16 addr(u64) 24 len(u32)
 *   28 op flags(u32) 32 user_data(u64) 40 buf_index/buf_group(u16) 42 personality 44 file_index 48 addr3 56 pad
 *   CQE: 0 user_data(u64) 8 res(s32) 12 flags(u32): F_BUFFER, F_MORE, buffer id in the upper 16 bits
 * </pre>
 *
 * We own the SQ tail and the CQ head (release stores), the kernel the SQ head and the CQ tail (acquire
 * loads). The SQ array maps slot i to SQE i once at setup, so filling an SQE is all a submission
 * writes. Single thread ({@code IORING_SETUP_SINGLE_ISSUER}); the data-path methods allocate nothing:
 * {@code io_uring_enter} goes through {@link RawSyscall} (only scalars cross, no errno capture), libc's
 * {@code syscall()} with errno capture only where that is unavailable.
 */
public final class IoUring implements AutoCloseable {
    public static final int SETUP_CLAMP = 1 << 4;
    public static final int SETUP_SUBMIT_ALL = 1 << 7;
    public static final int SETUP_COOP_TASKRUN = 1 << 8;
    public static final int SETUP_TASKRUN_FLAG = 1 << 9;
    public static final int SETUP_SINGLE_ISSUER = 1 << 12;
    /** Completions of armed requests are made only inside our own {@code io_uring_enter(GETEVENTS)}. */
    public static final int SETUP_DEFER_TASKRUN = 1 << 13;

    public static final int FEAT_SINGLE_MMAP = 1;
    public static final int FEAT_EXT_ARG = 1 << 8;

    public static final byte OP_NOP = 0;
    public static final byte OP_READV = 1;
    public static final byte OP_WRITEV = 2;
    public static final byte OP_WRITE_FIXED = 5;
    public static final byte OP_POLL_ADD = 6;
    public static final byte OP_ASYNC_CANCEL = 14;
    public static final byte OP_READ = 22;
    public static final byte OP_WRITE = 23;
    /** Reads whenever the file is readable, into buffers picked from a provided-buffer ring (6.7). */
    public static final byte OP_READ_MULTISHOT = 49;

    public static final byte SQE_BUFFER_SELECT = 1 << 5;
    public static final byte SQE_CQE_SKIP_SUCCESS = 1 << 6;

    public static final int CQE_F_BUFFER = 1;
    /** More completions follow for this (multishot) request. */
    public static final int CQE_F_MORE = 2;

    /** SQ ring flag: armed requests have completion work waiting for our next {@code enter(GETEVENTS)}. */
    public static final int SQ_TASKRUN = 4;

    private static final int ENTER_GETEVENTS = 1;
    private static final int ENTER_EXT_ARG = 8;
    private static final int REGISTER_BUFFERS = 0;
    private static final int REGISTER_PBUF_RING = 22;
    private static final int UNREGISTER_PBUF_RING = 23;
    private static final long OFF_SQ_RING = 0;
    private static final long OFF_SQES = 0x10000000L;
    private static final int SQE_SIZE = 64;
    private static final int CQE_SIZE = 16;
    private static final long SYS_IO_URING_SETUP = 425;
    private static final long SYS_IO_URING_ENTER = RawSyscall.SYS_IO_URING_ENTER;
    private static final long SYS_IO_URING_REGISTER = 427;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;

    private static final VarHandle U32 = JAVA_INT.varHandle();

    private static final MethodHandle SYSCALL6 = Native.downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = Native.downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Native.downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    private final int fd;
    private final int flags;
    private final int features;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno;
    /** Timeout argument of {@link #waitFor} (struct io_uring_getevents_arg + __kernel_timespec). */
    private final MemorySegment waitArg;
    private final MemorySegment ring;
    private final MemorySegment sqes;
    private final int sqEntries;
    private final int sqMask;
    private final long sqHead;
    private final long sqTail;
    private final long sqFlags;
    private final int cqMask;
    private final long cqHead;
    private final long cqTail;
    private final long cqes;
    /** Our SQ tail (published at {@link #submit}) and the CQ head we consumed up to. */
    private int tail;
    private int submittedTail;
    private int head;
    private boolean closed;

    private IoUring(int fd, MemorySegment params, MemorySegment ring, MemorySegment sqes) {
        this.fd = fd;
        this.flags = params.get(JAVA_INT, 8);
        this.features = params.get(JAVA_INT, 20);
        this.ring = ring;
        this.sqes = sqes;
        this.sqEntries = params.get(JAVA_INT, 0);
        this.sqHead = params.get(JAVA_INT, 40);
        this.sqTail = params.get(JAVA_INT, 44);
        this.sqMask = ring.get(JAVA_INT, params.get(JAVA_INT, 48));
        this.sqFlags = params.get(JAVA_INT, 56);
        long sqArray = params.get(JAVA_INT, 64);
        this.cqHead = params.get(JAVA_INT, 80);
        this.cqTail = params.get(JAVA_INT, 84);
        this.cqMask = ring.get(JAVA_INT, params.get(JAVA_INT, 88));
        this.cqes = params.get(JAVA_INT, 100);
        for (int i = 0; i < sqEntries; i++) {
            ring.set(JAVA_INT, sqArray + 4L * i, i);
        }
        this.tail = (int) U32.getAcquire(ring, sqTail);
        this.submittedTail = tail;
        this.head = (int) U32.getAcquire(ring, cqHead);
        this.errno = Native.errnoSegment(arena);
        this.waitArg = arena.allocate(40, 8);
    }

    /**
     * Sets up a ring of {@code entries} submission slots (twice as many completion slots).
     * @throws NativeException when the kernel refuses (io_uring disabled by sysctl or seccomp: EPERM,
     *     ENOSYS; a setup flag this kernel does not know: EINVAL)
     */
    public static IoUring create(int entries, int setupFlags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoSegment(a);
            MemorySegment params = a.allocate(120, 8);
            params.set(JAVA_INT, 8, setupFlags);
            long fd = syscall(err, SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
            if (fd < 0) {
                throw NativeException.of("io_uring_setup", entries + " entries, flags 0x" + Integer.toHexString(setupFlags),
                        Native.errno(err));
            }
            int ringFd = (int) fd;
            try {
                int features = params.get(JAVA_INT, 20);
                if ((features & FEAT_SINGLE_MMAP) == 0) {
                    throw new NativeException("io_uring_setup", "features 0x" + Integer.toHexString(features), Errno.EINVAL,
                            "kernel without IORING_FEAT_SINGLE_MMAP (5.4+) not supported");
                }
                long sqSize = params.get(JAVA_INT, 64) + 4L * params.get(JAVA_INT, 0);
                long cqSize = params.get(JAVA_INT, 100) + (long) CQE_SIZE * params.get(JAVA_INT, 4);
                MemorySegment ring = map(err, ringFd, Math.max(sqSize, cqSize), OFF_SQ_RING, "rings");
                MemorySegment sqes = map(err, ringFd, (long) SQE_SIZE * params.get(JAVA_INT, 0), OFF_SQES, "SQEs");
                return new IoUring(ringFd, params, ring, sqes);
            } catch (RuntimeException e) {
                Libc.close(ringFd);
                throw e;
            }
        }
    }

    private static MemorySegment map(MemorySegment err, int fd, long size, long offset, String what) {
        try {
            MemorySegment m = (MemorySegment) MMAP.invokeExact(err, MemorySegment.NULL, size, PROT_READ_WRITE,
                    MAP_SHARED_POPULATE, fd, offset);
            if (m.address() == -1L) {
                throw NativeException.of("mmap io_uring " + what, null, Native.errno(err));
            }
            return m.reinterpret(size);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("mmap", t);
        }
    }

    /** The setup flags the kernel accepted. */
    public int flags() {
        return flags;
    }

    public int features() {
        return features;
    }

    public int fd() {
        return fd;
    }

    /**
     * Registers {@code region} as fixed buffer 0 (pinned once: {@link #prepWriteFixed} then skips the
     * per-call page lookup). Control side.
     */
    public void registerBuffer(MemorySegment region, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iov = a.allocate(IoVec.LAYOUT);
            IoVec.set(iov, 0, region.address(), region.byteSize());
            register(a, REGISTER_BUFFERS, iov.address(), 1, "IORING_REGISTER_BUFFERS", what);
        }
    }

    /**
     * Registers a provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}) of {@code entries} (a power
     * of two) as buffer group {@code group}; {@code ringMemory} is page aligned, 16 bytes per entry
     * ({@link BufferRing}). Control side.
     */
    public void registerBufferRing(MemorySegment ringMemory, int entries, int group, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(40, 8);
            reg.set(JAVA_LONG, 0, ringMemory.address());
            reg.set(JAVA_INT, 8, entries);
            reg.set(JAVA_SHORT, 12, (short) group);
            register(a, REGISTER_PBUF_RING, reg.address(), 1, "IORING_REGISTER_PBUF_RING", what);
        }
    }

    /** Unregisters buffer group {@code group} (after every request using it completed). Control side. */
    public void unregisterBufferRing(int group, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(40, 8);
            reg.set(JAVA_SHORT, 12, (short) group);
            register(a, UNREGISTER_PBUF_RING, reg.address(), 1, "IORING_UNREGISTER_PBUF_RING", what);
        }
    }

    private void register(Arena a, int opcode, long arg, int count, String name, String what) {
        MemorySegment err = Native.errnoSegment(a);
        long rc = syscall(err, SYS_IO_URING_REGISTER, fd, opcode, arg, count, 0, 0);
        if (rc < 0) {
            throw NativeException.of(name, what, Native.errno(err));
        }
    }

    // ---- submission (data path) ----

    /** Free submission slots (not yet handed to the kernel by {@link #submit}, or not yet consumed). */
    public int sqSpace() {
        return sqEntries - (tail - (int) U32.getAcquire(ring, sqHead));
    }

    /** Prepared SQEs not yet submitted. */
    public int pending() {
        return tail - submittedTail;
    }

    /**
     * Claims the next SQE, zeroed, and returns its offset in the SQE array ({@code -1} when the ring is
     * full: submit first). Fill it with the {@code prep*} methods.
     */
    private long next() {
        if (tail - (int) U32.getAcquire(ring, sqHead) >= sqEntries) {
            return -1;
        }
        long at = (long) (tail & sqMask) * SQE_SIZE;
        for (int k = 0; k < SQE_SIZE; k += 8) {
            sqes.set(JAVA_LONG, at + k, 0L);
        }
        tail++;
        return at;
    }

    private void fill(long at, byte opcode, int fd, long address, int length, long userData) {
        sqes.set(JAVA_BYTE, at, opcode);
        sqes.set(JAVA_INT, at + 4, fd);
        sqes.set(JAVA_LONG, at + 16, address);
        sqes.set(JAVA_INT, at + 24, length);
        sqes.set(JAVA_LONG, at + 32, userData);
    }

    /** {@code write(fd, address, length)}. @return false when the SQ is full */
    public boolean prepWrite(int fd, long address, int length, long userData) {
        long at = next();
        if (at < 0) {
            return false;
        }
        fill(at, OP_WRITE, fd, address, length, userData);
        sqes.set(JAVA_LONG, at + 8, -1L); // offset -1: the file position (a character device has none)
        return true;
    }

    /** {@code write} from registered buffer 0 ({@link #registerBuffer}). @return false when the SQ is full */
    public boolean prepWriteFixed(int fd, long address, int length, long userData) {
        long at = next();
        if (at < 0) {
            return false;
        }
        fill(at, OP_WRITE_FIXED, fd, address, length, userData);
        sqes.set(JAVA_LONG, at + 8, -1L);
        return true;
    }

    /** {@code writev(fd, iov, count)}; the iovecs must stay put until {@link #submit}. @return false when full */
    public boolean prepWritev(int fd, long iovAddress, int iovCount, long userData) {
        long at = next();
        if (at < 0) {
            return false;
        }
        fill(at, OP_WRITEV, fd, iovAddress, iovCount, userData);
        sqes.set(JAVA_LONG, at + 8, -1L);
        return true;
    }

    /** {@code read(fd, address, length)} once. @return false when the SQ is full */
    public boolean prepRead(int fd, long address, int length, long userData) {
        long at = next();
        if (at < 0) {
            return false;
        }
        fill(at, OP_READ, fd, address, length, userData);
        sqes.set(JAVA_LONG, at + 8, -1L);
        return true;
    }

    /**
     * A read that stays armed: whenever {@code fd} is readable the kernel reads one packet into a buffer
     * of {@code group} and posts a completion with {@link #CQE_F_MORE} and the buffer id; without
     * {@code F_MORE} the request ended (buffers ran out: {@code -ENOBUFS}; cancelled) and must be re-armed.
     * @return false when the SQ is full
     */
    public boolean prepReadMultishot(int fd, int group, long userData) {
        long at = next();
        if (at < 0) {
            return false;
        }
        fill(at, OP_READ_MULTISHOT, fd, 0, 0, userData);
        sqes.set(JAVA_BYTE, at + 1, SQE_BUFFER_SELECT);
        sqes.set(JAVA_LONG, at + 8, -1L);
        sqes.set(JAVA_SHORT, at + 40, (short) group);
        return true;
    }

    /** Cancels the request submitted with {@code target} as user data. @return false when the SQ is full */
    public boolean prepCancel(long target, long userData) {
        long at = next();
        if (at < 0) {
            return false;
        }
        fill(at, OP_ASYNC_CANCEL, -1, target, 0, userData);
        return true;
    }

    /** A no-op (tests). @return false when the SQ is full */
    public boolean prepNop(long userData) {
        long at = next();
        if (at < 0) {
            return false;
        }
        fill(at, OP_NOP, -1, 0, 0, userData);
        return true;
    }

    /**
     * Hands every prepared SQE to the kernel and runs the completion work of armed requests
     * ({@code io_uring_enter(GETEVENTS)}), waiting for nothing. One system call, however many SQEs.
     * @return SQEs the kernel took, or -errno (EINTR, EAGAIN/EBUSY: completion ring full)
     */
    public int submit() {
        U32.setRelease(ring, sqTail, tail);
        int toSubmit = tail - submittedTail;
        return submitted(RawSyscall.AVAILABLE
                ? RawSyscall.call(SYS_IO_URING_ENTER, fd, toSubmit, 0, ENTER_GETEVENTS, 0, 0)
                : libcEnter(toSubmit, 0, ENTER_GETEVENTS, 0, 0));
    }

    /**
     * Like {@link #submit}, then sleeps until at least one completion is ready or {@code timeoutNanos}
     * pass (needs {@link #FEAT_EXT_ARG}, 5.11). A blocking call: never through a critical downcall.
     * @return SQEs submitted, or -errno (ETIME: timed out)
     */
    public int submitAndWait(long timeoutNanos) {
        U32.setRelease(ring, sqTail, tail);
        int toSubmit = tail - submittedTail;
        MemorySegment arg = waitArg;
        arg.set(JAVA_LONG, 0, 0L);                   // sigmask
        arg.set(JAVA_INT, 8, 0);                     // sigmask_sz
        arg.set(JAVA_INT, 12, 0);
        arg.set(JAVA_LONG, 16, arg.address() + 24);  // ts -> the timespec below
        arg.set(JAVA_LONG, 24, timeoutNanos / 1_000_000_000L);
        arg.set(JAVA_LONG, 32, timeoutNanos % 1_000_000_000L);
        int enterFlags = ENTER_GETEVENTS | ENTER_EXT_ARG;
        return submitted(RawSyscall.AVAILABLE
                ? RawSyscall.blocking(SYS_IO_URING_ENTER, fd, toSubmit, 1, enterFlags, arg.address(), 24)
                : libcEnter(toSubmit, 1, enterFlags, arg.address(), 24));
    }

    /** Counts what {@code io_uring_enter} took; its result (SQEs taken or -errno) as an int. */
    private int submitted(long n) {
        if (n > 0) {
            submittedTail += (int) n;
        }
        return (int) n;
    }

    /**
     * {@code io_uring_enter} through libc with errno capture, where {@link RawSyscall} is unavailable
     * (its capture check can allocate when C2 does not inline it: docs/nativeio.md).
     */
    private long libcEnter(int toSubmit, int minComplete, int enterFlags, long arg, long argSize) {
        long n = syscall(errno, SYS_IO_URING_ENTER, fd, toSubmit, minComplete, enterFlags, arg, argSize);
        return n >= 0 ? n : -Native.errno(errno);
    }

    /** Has an armed request completion work waiting for {@link #submit} ({@link #SETUP_TASKRUN_FLAG})? */
    public boolean taskRunPending() {
        return ((int) U32.getAcquire(ring, sqFlags) & SQ_TASKRUN) != 0;
    }

    // ---- completion (data path) ----

    /** Completions ready to read (at {@link #cqeUserData}(0..n-1) etc.). */
    public int ready() {
        return (int) U32.getAcquire(ring, cqTail) - head;
    }

    public long cqeUserData(int i) {
        return ring.get(JAVA_LONG, cqes + (long) ((head + i) & cqMask) * CQE_SIZE);
    }

    public int cqeResult(int i) {
        return ring.get(JAVA_INT, cqes + (long) ((head + i) & cqMask) * CQE_SIZE + 8);
    }

    public int cqeFlags(int i) {
        return ring.get(JAVA_INT, cqes + (long) ((head + i) & cqMask) * CQE_SIZE + 12);
    }

    /** Returns {@code n} completions' slots to the kernel. */
    public void advance(int n) {
        head += n;
        U32.setRelease(ring, cqHead, head);
    }

    private static long syscall(MemorySegment errno, long number, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) SYSCALL6.invokeExact(errno, number, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new AssertionError("io_uring syscall downcall failed", t);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoSegment(a);
            unmap(err, sqes);
            unmap(err, ring);
        }
        Libc.close(fd);
        arena.close();
    }

    private static void unmap(MemorySegment err, MemorySegment m) {
        try {
            int rc = (int) MUNMAP.invokeExact(err, m, m.byteSize());
            if (rc != 0) {
                throw NativeException.of("munmap io_uring", null, Native.errno(err));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("munmap", t);
        }
    }

    /**
     * A provided-buffer ring ({@code struct io_uring_buf_ring}): we add buffers at the tail, the kernel
     * takes them from the head for {@link #prepReadMultishot} reads of the group.
     *
     * <pre>
     *   entry i (16 bytes): 0 addr(u64) 8 len(u32) 12 bid(u16) 14 resv(u16)
     *   the ring's tail (u16) overlays entry 0's resv at byte 14
     * </pre>
     */
    public static final class BufferRing {
        private static final VarHandle U16 = JAVA_SHORT.varHandle();
        private final MemorySegment memory;
        private final int mask;
        private short tail;

        /** Page-aligned memory for {@code entries} (a power of two) from {@code arena}. */
        public BufferRing(Arena arena, int entries) {
            if (Integer.bitCount(entries) != 1 || entries > 32768) {
                throw new IllegalArgumentException("buffer ring entries must be a power of two up to 32768: " + entries);
            }
            this.memory = arena.allocate(16L * entries, 4096);
            this.mask = entries - 1;
        }

        public MemorySegment memory() {
            return memory;
        }

        public int entries() {
            return mask + 1;
        }

        /** Writes the {@code offset}-th buffer after the tail (publish with {@link #advance}). */
        public void add(int offset, long address, int length, int bufferId) {
            long at = 16L * ((tail + offset) & mask);
            memory.set(JAVA_LONG, at, address);
            memory.set(JAVA_INT, at + 8, length);
            memory.set(JAVA_SHORT, at + 12, (short) bufferId);
        }

        /** Publishes {@code n} buffers written by {@link #add}. */
        public void advance(int n) {
            tail += (short) n;
            U16.setRelease(memory, 14L, tail);
        }
    }
}
