package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * System calls made without libc's errno: the result is what the kernel returns, the value or
 * {@code -errno}, in one register. For data-path calls whose errno matters (EAGAIN is "empty", EMSGSIZE
 * an oversized datagram) but which must allocate nothing whatever the JIT decides: a libc call bound
 * with errno capture hands FFM's capture check a slice of the capture segment, which allocates whenever
 * C2 does not inline that check (docs/nativeio.md, "errno capture"); a call here passes only scalars.
 *
 * <p>How: a 26-byte x86-64 stub in a page of its own (mapped writable, filled, then made read+exec),
 * called through an FFM downcall like any C function {@code long stub(long nr, long a1, ..., long a6)}:
 * it moves the number to {@code rax} and the arguments to the kernel's registers, executes
 * {@code syscall} and returns {@code rax}. Under the SysV AMD64 convention FFM calls it with, the six
 * register arguments are {@code nr, a1..a5} and {@code a6}, the seventh, is on the stack just above the
 * return address ({@code [rsp+8]} at entry). Where it cannot be set up (another architecture, a policy
 * refusing executable mappings, {@code -Dpodswitch.rawSyscalls=false}) {@link #AVAILABLE} is false and
 * callers keep their libc call with errno capture; {@link #unavailableReason()} says why.
 *
 * <p>Two handles on the one stub: {@link #call} is bound {@linkplain Linker.Option#critical critical}
 * (no thread-state transition: for calls that return at once), {@link #blocking} is not (the thread is
 * "in native" meanwhile, so a call that sleeps — {@code epoll_wait}, {@code io_uring_enter} waiting for
 * completions — holds up no safepoint and no garbage collection).
 */
public final class RawSyscall {
    /** x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
    public static final long SYS_READ = 0;
    public static final long SYS_WRITE = 1;
    public static final long SYS_READV = 19;
    public static final long SYS_WRITEV = 20;
    public static final long SYS_SENDTO = 44;
    public static final long SYS_RECVFROM = 45;
    public static final long SYS_RECVMMSG = 299;
    public static final long SYS_SENDMMSG = 307;
    public static final long SYS_EPOLL_WAIT = 232;
    public static final long SYS_IO_URING_ENTER = 426;

    private static final byte[] STUB_X86_64 = {
        0x48, (byte) 0x89, (byte) 0xf8, // mov rax, rdi   (number)
        0x48, (byte) 0x89, (byte) 0xf7, // mov rdi, rsi   (a1)
        0x48, (byte) 0x89, (byte) 0xd6, // mov rsi, rdx   (a2)
        0x48, (byte) 0x89, (byte) 0xca, // mov rdx, rcx   (a3)
        0x4d, (byte) 0x89, (byte) 0xc2, // mov r10, r8    (a4)
        0x4d, (byte) 0x89, (byte) 0xc8, // mov r8, r9     (a5)
        0x4c, (byte) 0x8b, 0x4c, 0x24, 0x08, // mov r9, [rsp+8] (a6: the first stack argument)
        0x0f, 0x05,                     // syscall        (clobbers rcx, r11: caller-saved)
        (byte) 0xc3,                    // ret
    };
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int PROT_EXEC = 0x4;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final long PAGE = 4096;

    /** True when {@link #call} works; callers test it first (a constant once the class is initialised). */
    public static final boolean AVAILABLE;
    private static final MethodHandle STUB;
    private static final MethodHandle BLOCKING_STUB;
    private static final String UNAVAILABLE;

    static {
        MethodHandle stub = null;
        MethodHandle blocking = null;
        String reason = null;
        try {
            if (!Boolean.parseBoolean(System.getProperty("podswitch.rawSyscalls", "true"))) {
                reason = "disabled by -Dpodswitch.rawSyscalls=false";
            } else if (!"amd64".equals(System.getProperty("os.arch")) || !"Linux".equals(System.getProperty("os.name"))) {
                reason = "no stub for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch");
            } else {
                MemorySegment code = mapStub(STUB_X86_64);
                FunctionDescriptor sevenLongs = FunctionDescriptor.of(JAVA_LONG,
                        JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
                stub = Native.LINKER.downcallHandle(code, sevenLongs, Linker.Option.critical(false));
                blocking = Native.LINKER.downcallHandle(code, sevenLongs);
            }
        } catch (Throwable e) {
            stub = null;
            blocking = null;
            reason = e.toString();
        }
        STUB = stub;
        BLOCKING_STUB = blocking;
        AVAILABLE = stub != null && blocking != null;
        UNAVAILABLE = reason;
    }

    private RawSyscall() {
    }

    /** Why {@link #AVAILABLE} is false, or null. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * System call {@code nr} with up to five arguments (unused ones 0): its result or {@code -errno}. Only
     * for calls that return at once (non-blocking sockets): like a {@linkplain Linker.Option#critical
     * critical} downcall, it holds up safepoints while in the kernel. Requires {@link #AVAILABLE}.
     */
    public static long call(long nr, long a1, long a2, long a3, long a4, long a5) {
        return call(nr, a1, a2, a3, a4, a5, 0);
    }

    /** As {@link #call(long, long, long, long, long, long)}, with a sixth argument. */
    public static long call(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) STUB.invokeExact(nr, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw failed(nr, t);
        }
    }

    /**
     * System call {@code nr} that may sleep in the kernel (unused arguments 0): its result or
     * {@code -errno}. An ordinary (not critical) downcall, so the thread does not hold up safepoints
     * while it waits. Requires {@link #AVAILABLE}.
     */
    public static long blocking(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) BLOCKING_STUB.invokeExact(nr, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw failed(nr, t);
        }
    }

    private static AssertionError failed(long nr, Throwable t) {
        return new AssertionError("raw system call " + nr + " failed", t);
    }

    private static MemorySegment mapStub(byte[] code) throws Throwable {
        MethodHandle mmap = Native.downcall("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        MethodHandle mprotect = Native.downcall("mprotect", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            MemorySegment page = (MemorySegment) mmap.invokeExact(errno, MemorySegment.NULL, PAGE,
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (page.address() == -1L) {
                throw NativeException.of("mmap", "raw system call stub", Native.errno(errno));
            }
            // Never unmapped: one page for the life of the process, shared by every thread.
            MemorySegment writable = page.reinterpret(PAGE);
            MemorySegment.copy(code, 0, writable, ValueLayout.JAVA_BYTE, 0, code.length);
            int rc = (int) mprotect.invokeExact(errno, page, PAGE, PROT_READ | PROT_EXEC);
            if (rc != 0) {
                throw NativeException.of("mprotect(PROT_EXEC)", "raw system call stub", Native.errno(errno));
            }
            return page;
        }
    }
}
