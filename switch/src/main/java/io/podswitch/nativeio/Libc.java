package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The libc basics: files, descriptors, ioctl, fcntl, poll, process and thread ids, CPU affinity.
 *
 * <p>Two kinds of entry point:
 * <ul>
 * <li>Control-plane calls ({@link #open}, {@link #ioctl}, {@link #setNonBlocking}, ...) throw
 *     {@link NativeException} naming the call, the object and the errno. They allocate a little
 *     (a confined arena per call) and that is fine off the data path.</li>
 * <li>Data-path calls ({@link #read}, {@link #write}, {@link #readv}, {@link #writev}) take a raw
 *     address instead of a {@code MemorySegment} (so no slice is made per packet) and a caller-owned
 *     errno capture segment, and return the byte count or {@code -errno}: no exception, no allocation.
 *     They are bound {@linkplain Linker.Option#critical critical}: the call on a non-blocking
 *     descriptor returns at once, so skipping the thread-state transition is safe and saves time.</li>
 * </ul>
 */
public final class Libc {
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 0x2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;

    private static final MethodHandle OPEN = Native.downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Native.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL_PTR = Native.downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = Native.downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = Native.downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle POLL = Native.downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETPID = Native.downcallNoErrno("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETTID = Native.downcallNoErrno("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGNAL = Native.downcall("signal",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SCHED_SETAFFINITY = Native.downcall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));

    // Data path: pointers passed as raw addresses (JAVA_LONG has the same x86-64 ABI class as a pointer).
    private static final MethodHandle READ = Native.downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle WRITE = Native.downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle READV = Native.downcall("readv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle WRITEV = Native.downcall("writev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), Linker.Option.critical(false));

    private Libc() {
    }

    /** Opens a file; the descriptor is close-on-exec. */
    public static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int fd = (int) OPEN.invokeExact(errno, arena.allocateFrom(path), flags | O_CLOEXEC, 0);
            if (fd < 0) {
                throw NativeException.of("open", path, Native.errno(errno));
            }
            return fd;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open " + path, t);
        }
    }

    /** Closes a descriptor; a negative one is ignored so cleanup paths can call it unconditionally. */
    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            // The result is ignored on purpose: EINTR still closes the descriptor on Linux (nothing to
            // retry), and EBADF on a cleanup path only means it was closed already.
            int ignored = (int) CLOSE.invokeExact(Native.errnoSegment(arena), fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close " + fd, t);
        }
    }

    /**
     * ioctl with a pointer argument.
     * @param call the request's name for the error message ("TUNSETIFF")
     * @param object what the request acts on ("tap3f2a")
     * @return the non-negative result
     */
    public static int ioctl(int fd, long request, MemorySegment arg, String call, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int rc = (int) IOCTL_PTR.invokeExact(errno, fd, request, arg);
            if (rc < 0) {
                throw NativeException.of(call, object, Native.errno(errno));
            }
            return rc;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(call + " on " + object, t);
        }
    }

    /** ioctl with an integer argument passed by value (TUNSETPERSIST, TUNSETOFFLOAD). */
    public static int ioctl(int fd, long request, long value, String call, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int rc = (int) IOCTL_LONG.invokeExact(errno, fd, request, value);
            if (rc < 0) {
                throw NativeException.of(call, object, Native.errno(errno));
            }
            return rc;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(call + " on " + object, t);
        }
    }

    /** Sets O_NONBLOCK, keeping the other status flags. */
    public static void setNonBlocking(int fd, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int flags = (int) FCNTL.invokeExact(errno, fd, F_GETFL, 0);
            if (flags < 0) {
                throw NativeException.of("fcntl(F_GETFL)", object, Native.errno(errno));
            }
            int rc = (int) FCNTL.invokeExact(errno, fd, F_SETFL, flags | O_NONBLOCK);
            if (rc < 0) {
                throw NativeException.of("fcntl(F_SETFL, O_NONBLOCK)", object, Native.errno(errno));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("fcntl on " + object, t);
        }
    }

    /**
     * Waits until {@code fd} is ready for {@code events} (control plane and tests; workers never
     * block). EINTR counts as "not ready".
     * @return the returned events, or 0 on timeout
     */
    public static int poll(int fd, short events, int timeoutMillis, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            // struct pollfd { int fd; short events; short revents; }  — 8 bytes
            MemorySegment pfd = arena.allocate(8, 4);
            pfd.set(JAVA_INT, 0, fd);
            pfd.set(JAVA_SHORT, 4, events);
            int rc = (int) POLL.invokeExact(errno, pfd, 1L, timeoutMillis);
            if (rc < 0) {
                int e = Native.errno(errno);
                if (e == Errno.EINTR) {
                    return 0;
                }
                throw NativeException.of("poll", object, e);
            }
            return rc == 0 ? 0 : pfd.get(JAVA_SHORT, 6) & 0xffff;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("poll on " + object, t);
        }
    }

    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("getpid", t);
        }
    }

    /** The kernel thread id of the calling (platform) thread. */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("gettid", t);
        }
    }

    /**
     * Sets a signal's disposition back to the default action ({@code signal(signo, SIG_DFL)}), so that the
     * JVM will install a handler for it: a signal the process inherited as ignored (started by
     * {@code nohup}) is left ignored by {@code sun.misc.Signal.handle}, whose handler then never runs.
     */
    public static void defaultSignalAction(int signo, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            long previous = (long) SIGNAL.invokeExact(errno, signo, 0L); // SIG_DFL
            if (previous == -1L) { // SIG_ERR
                throw NativeException.of("signal", name, Native.errno(errno));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("signal " + name, t);
        }
    }

    /** Pins the calling thread to the given CPUs (a worker on a dedicated core). */
    public static void pinCurrentThread(int... cpus) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            MemorySegment mask = arena.allocate(128, 8); // cpu_set_t: 1024 bits
            for (int cpu : cpus) {
                if (cpu < 0 || cpu >= 1024) {
                    throw new IllegalArgumentException("cpu out of range [0, 1024): " + cpu);
                }
                long word = mask.get(JAVA_LONG, (cpu >>> 6) * 8L);
                mask.set(JAVA_LONG, (cpu >>> 6) * 8L, word | (1L << (cpu & 63)));
            }
            int rc = (int) SCHED_SETAFFINITY.invokeExact(errno, 0, 128L, mask);
            if (rc < 0) {
                throw NativeException.of("sched_setaffinity", "cpus " + java.util.Arrays.toString(cpus),
                        Native.errno(errno));
            }
        } catch (NativeException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_setaffinity", t);
        }
    }

    // ---- data path: no exceptions, no allocation; result is bytes or -errno ----

    /*
     * Where RawSyscall works (x86-64) these make the system call themselves: the kernel's result, -errno
     * included, comes back in the return value and only scalars cross, so nothing can allocate whatever
     * C2 inlines (the errno segment is then unused). Elsewhere libc with errno capture: those wrappers
     * and their raw calls are kept under C2's MaxInlineSize (35 bytes of bytecode), so they are inlined
     * even at call sites C2 judges cold; out of line, the JDK's errno-capture check allocates a segment
     * slice per call (docs/nativeio.md, "Data path"). Both are critical calls: non-blocking descriptors only.
     */

    /** read(2) into native memory at {@code address}; bytes read, or -errno. */
    public static long read(MemorySegment errno, int fd, long address, long length) {
        return RawSyscall.AVAILABLE ? RawSyscall.call(RawSyscall.SYS_READ, fd, address, length, 0, 0)
                : libcRead(errno, fd, address, length);
    }

    /** write(2) from native memory at {@code address}; bytes written, or -errno. */
    public static long write(MemorySegment errno, int fd, long address, long length) {
        return RawSyscall.AVAILABLE ? RawSyscall.call(RawSyscall.SYS_WRITE, fd, address, length, 0, 0)
                : libcWrite(errno, fd, address, length);
    }

    /** readv(2) with an iovec array at {@code iovAddress} (see {@link IoVec}); bytes, or -errno. */
    public static long readv(MemorySegment errno, int fd, long iovAddress, int iovCount) {
        return RawSyscall.AVAILABLE ? RawSyscall.call(RawSyscall.SYS_READV, fd, iovAddress, iovCount, 0, 0)
                : libcReadv(errno, fd, iovAddress, iovCount);
    }

    /** writev(2) with an iovec array at {@code iovAddress} (see {@link IoVec}); bytes, or -errno. */
    public static long writev(MemorySegment errno, int fd, long iovAddress, int iovCount) {
        return RawSyscall.AVAILABLE ? RawSyscall.call(RawSyscall.SYS_WRITEV, fd, iovAddress, iovCount, 0, 0)
                : libcWritev(errno, fd, iovAddress, iovCount);
    }

    private static long libcRead(MemorySegment errno, int fd, long address, long length) {
        long n = rawRead(errno, fd, address, length);
        return n >= 0 ? n : -Native.errno(errno);
    }

    private static long libcWrite(MemorySegment errno, int fd, long address, long length) {
        long n = rawWrite(errno, fd, address, length);
        return n >= 0 ? n : -Native.errno(errno);
    }

    private static long libcReadv(MemorySegment errno, int fd, long iovAddress, int iovCount) {
        long n = rawReadv(errno, fd, iovAddress, iovCount);
        return n >= 0 ? n : -Native.errno(errno);
    }

    private static long libcWritev(MemorySegment errno, int fd, long iovAddress, int iovCount) {
        long n = rawWritev(errno, fd, iovAddress, iovCount);
        return n >= 0 ? n : -Native.errno(errno);
    }

    private static long rawRead(MemorySegment errno, int fd, long address, long length) {
        try {
            return (long) READ.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private static long rawWrite(MemorySegment errno, int fd, long address, long length) {
        try {
            return (long) WRITE.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private static long rawReadv(MemorySegment errno, int fd, long iovAddress, int iovCount) {
        try {
            return (long) READV.invokeExact(errno, fd, iovAddress, iovCount);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private static long rawWritev(MemorySegment errno, int fd, long iovAddress, int iovCount) {
        try {
            return (long) WRITEV.invokeExact(errno, fd, iovAddress, iovCount);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private static AssertionError failed(Throwable t) {
        return new AssertionError("read/write downcall failed", t);
    }
}
