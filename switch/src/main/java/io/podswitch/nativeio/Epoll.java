package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * epoll: which of many descriptors (a worker's TAP queues, an eventfd doorbell) are ready, in one
 * call. An empty {@code read} of a TAP costs a system call (~700 ns here), so a worker serving many
 * TAPs asks epoll once per cycle instead of reading every TAP, and its idle strategy may block in
 * {@link #wait} with a timeout.
 *
 * <p>{@code struct epoll_event} is packed on x86-64:
 * <pre>
 *  0              4                              12
 *  +--------------+------------------------------+
 *  | events (u32) | data (u64, unaligned)        |
 *  | EPOLLIN ...  | caller's cookie: port/queue  |
 *  +--------------+------------------------------+
 * </pre>
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;

    public static final StructLayout EVENT = MemoryLayout.structLayout(
            JAVA_INT_UNALIGNED.withName("events"),
            JAVA_LONG_UNALIGNED.withName("data"));
    public static final long EVENT_SIZE = EVENT.byteSize();

    private static final MethodHandle CREATE = Native.downcall("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTL = Native.downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle WAIT = Native.downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));

    private final int fd;
    private final Arena arena;
    private final MemorySegment errno;
    private final MemorySegment events;
    private final int capacity;

    private Epoll(int fd, int capacity) {
        this.fd = fd;
        this.capacity = capacity;
        this.arena = Arena.ofShared();
        this.errno = Native.errnoSegment(arena);
        this.events = arena.allocate(EVENT_SIZE * capacity, 8);
    }

    /** An epoll set that reports up to {@code capacity} ready descriptors per {@link #wait}. */
    public static Epoll create(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoSegment(a);
            int fd = (int) CREATE.invokeExact(err, EPOLL_CLOEXEC);
            if (fd < 0) {
                throw NativeException.of("epoll_create1", null, Native.errno(err));
            }
            return new Epoll(fd, capacity);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("epoll_create1", t);
        }
    }

    /** Watches {@code target} for {@code interest} (EPOLLIN...); {@code cookie} comes back with its events. */
    public void add(int target, int interest, long cookie, String object) {
        ctl(EPOLL_CTL_ADD, target, interest, cookie, object);
    }

    public void remove(int target, String object) {
        ctl(EPOLL_CTL_DEL, target, 0, 0, object);
    }

    private void ctl(int op, int target, int interest, long cookie, String object) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoSegment(a);
            MemorySegment ev = a.allocate(EVENT);
            ev.set(JAVA_INT_UNALIGNED, 0, interest);
            ev.set(JAVA_LONG_UNALIGNED, 4, cookie);
            int rc = (int) CTL.invokeExact(err, fd, op, target, ev);
            if (rc < 0) {
                throw NativeException.of(op == EPOLL_CTL_ADD ? "epoll_ctl(ADD)" : "epoll_ctl(DEL)", object, Native.errno(err));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("epoll_ctl", t);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (0: just look, -1: forever) and returns how many descriptors
     * are ready (read them with {@link #cookie}/{@link #events}), 0 on timeout or EINTR, or -errno.
     * Allocation free: for a worker's idle strategy. Through {@link RawSyscall#blocking} where it works
     * (no errno capture, nothing that can allocate); otherwise libc, split like the data-path calls of
     * {@link Libc} into a small public method and a raw call so that C2 inlines both wherever they are
     * called and the errno capture slice never escapes (see docs/nativeio.md).
     */
    public int wait(int timeoutMillis) {
        return RawSyscall.AVAILABLE ? kernelWait(timeoutMillis) : libcWait(timeoutMillis);
    }

    private int kernelWait(int timeoutMillis) {
        int n = (int) RawSyscall.blocking(RawSyscall.SYS_EPOLL_WAIT, fd, events.address(), capacity, timeoutMillis, 0, 0);
        return n == -Errno.EINTR ? 0 : n;
    }

    private int libcWait(int timeoutMillis) {
        int n = rawWait(errno, fd, events.address(), capacity, timeoutMillis);
        return n >= 0 ? n : waitFailed();
    }

    private int waitFailed() {
        int e = Native.errno(errno);
        return e == Errno.EINTR ? 0 : -e;
    }

    private static int rawWait(MemorySegment errno, int fd, long events, int capacity, int timeoutMillis) {
        try {
            return (int) WAIT.invokeExact(errno, fd, events, capacity, timeoutMillis);
        } catch (Throwable t) {
            throw new AssertionError("epoll_wait downcall failed", t);
        }
    }

    /** The epoll descriptor itself (readable when one of its descriptors is ready). */
    public int fd() {
        return fd;
    }

    /** The cookie of the {@code i}-th ready descriptor of the last {@link #wait}. */
    public long cookie(int i) {
        return events.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + 4);
    }

    /** The EPOLL* bits of the {@code i}-th ready descriptor of the last {@link #wait}. */
    public int events(int i) {
        return events.get(JAVA_INT_UNALIGNED, i * EVENT_SIZE);
    }

    @Override
    public void close() {
        Libc.close(fd);
        arena.close();
    }
}
