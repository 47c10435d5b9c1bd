package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The raw system call stub returns the kernel's result as is: a value, or -errno without touching
 * libc's errno; and Datagrams' data-path calls give the same -errno through it. The sixth argument,
 * which the stub loads from the stack, reaches the kernel, through both handles.
 */
class RawSyscallTest {
    private static final long SYS_MMAP = 9;
    private static final long SYS_MUNMAP = 11;
    private static final long PROT_READ = 1;
    private static final long MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    /** "Destination address required" (not one the switch meets, so not in {@link Errno}). */
    private static final long EDESTADDRREQ = 89;
    @Test
    void availableOnX8664Linux() {
        assumeTrue("amd64".equals(System.getProperty("os.arch")));
        assertTrue(RawSyscall.AVAILABLE, "raw system calls unavailable: " + RawSyscall.unavailableReason());
    }

    @Test
    void errorsComeBackAsMinusErrno() {
        assumeTrue(RawSyscall.AVAILABLE);
        assertEquals(-Errno.EBADF, RawSyscall.call(RawSyscall.SYS_RECVMMSG, -1, 0, 1, Datagrams.MSG_DONTWAIT, 0));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            assertEquals(-Errno.EBADF, Datagrams.sendmmsg(errno, -1, 0, 1));
            assertEquals(-Errno.EBADF, Datagrams.recvmmsg(errno, -1, 0, 1));
            assertEquals(-Errno.EBADF, Libc.read(errno, -1, 0, 0));
            assertEquals(-Errno.EBADF, Libc.write(errno, -1, 0, 0));
            assertEquals(-Errno.EBADF, Libc.readv(errno, -1, 0, 0));
            assertEquals(-Errno.EBADF, Libc.writev(errno, -1, 0, 0));
        }
    }

    @Test
    void anEmptySocketIsEagain() {
        assumeTrue(RawSyscall.AVAILABLE);
        int fd = Sockets.socket(Sockets.AF_INET, Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC, 0,
                "raw syscall test");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            // sockaddr_in 127.0.0.1, port chosen by the kernel
            MemorySegment sin = arena.allocate(16);
            sin.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) Sockets.AF_INET);
            sin.set(java.lang.foreign.ValueLayout.JAVA_INT, 4, 0x0100007f);
            Sockets.bind(fd, sin, "raw syscall test");
            MemorySegment msgs = arena.allocate(MsgHdr.SIZE, 8);
            MemorySegment buffer = arena.allocate(64);
            MemorySegment iov = arena.allocate(16, 8);
            IoVec.set(iov, 0, buffer.address(), 64);
            MsgHdr.set(msgs, 0, 0, 0, iov.address(), 1);
            assertEquals(-Errno.EAGAIN, Datagrams.recvmmsg(errno, fd, msgs.address(), 1));
            assertEquals(-Errno.EAGAIN, Libc.read(errno, fd, buffer.address(), 64));
            assertEquals(-Errno.EAGAIN, Libc.readv(errno, fd, iov.address(), 1));
        } finally {
            Libc.close(fd);
        }
    }

    /**
     * The AF_XDP kicks' calls, with their arguments (no buffer, no address, MSG_DONTWAIT), on a UDP socket:
     * sendto with no destination is EDESTADDRREQ, recvfrom on an empty socket EAGAIN — the numbers are
     * sendto's and recvfrom's (a wrong one gives neither).
     */
    @Test
    void theAfXdpKickCallsReachTheKernel() {
        assumeTrue(RawSyscall.AVAILABLE);
        int fd = Sockets.socket(Sockets.AF_INET, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0, "raw syscall test");
        try {
            assertEquals(-EDESTADDRREQ, RawSyscall.call(RawSyscall.SYS_SENDTO, fd, 0, 0, Sockets.MSG_DONTWAIT, 0));
            assertEquals(-Errno.EAGAIN, RawSyscall.call(RawSyscall.SYS_RECVFROM, fd, 0, 0, Sockets.MSG_DONTWAIT, 0));
            assertEquals(-Errno.EBADF, RawSyscall.call(RawSyscall.SYS_SENDTO, -1, 0, 0, Sockets.MSG_DONTWAIT, 0));
        } finally {
            Libc.close(fd);
        }
    }

    /**
     * mmap's sixth argument is the offset, checked for page alignment before anything else: 0 maps,
     * 4097 is EINVAL. A stub that left {@code r9} as it was would pass the fifth argument (-1) instead
     * and fail both the same way.
     */
    @Test
    void theSixthArgumentReachesTheKernel() {
        assumeTrue(RawSyscall.AVAILABLE);
        for (boolean blocking : new boolean[] {false, true}) {
            long mapped = mmap(blocking, 0);
            assertTrue(mapped > 0, "mmap at offset 0 (blocking handle " + blocking + "): " + mapped);
            assertEquals(0, RawSyscall.call(SYS_MUNMAP, mapped, 4096, 0, 0, 0));
            assertEquals(-Errno.EINVAL, mmap(blocking, 4097), "unaligned offset (blocking handle " + blocking + ")");
        }
    }

    private static long mmap(boolean blocking, long offset) {
        return blocking
                ? RawSyscall.blocking(SYS_MMAP, 0, 4096, PROT_READ, MAP_PRIVATE_ANONYMOUS, -1, offset)
                : RawSyscall.call(SYS_MMAP, 0, 4096, PROT_READ, MAP_PRIVATE_ANONYMOUS, -1, offset);
    }

    /**
     * A blocking six-argument call: io_uring_enter waiting with a timeout (EXT_ARG, whose size is the
     * sixth argument) sleeps it out and reports ETIME; a wrong size is EINVAL.
     */
    @Test
    void ioUringEnterWaitsThroughTheBlockingHandle() {
        assumeTrue(RawSyscall.AVAILABLE);
        IoUring ring;
        try {
            ring = IoUring.create(8, 0);
        } catch (NativeException e) {
            assumeTrue(false, "io_uring refused here: " + e.getMessage());
            return;
        }
        try (ring; Arena arena = Arena.ofConfined()) {
            long start = System.nanoTime();
            assertEquals(-Errno.ETIME, ring.submitAndWait(20_000_000L));
            assertTrue(System.nanoTime() - start >= 15_000_000L, "slept out the timeout");
            MemorySegment arg = arena.allocate(40, 8);
            arg.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16, arg.address() + 24);
            arg.set(java.lang.foreign.ValueLayout.JAVA_LONG, 32, 1_000_000L);
            int getEventsExtArg = 1 | 8;
            assertEquals(-Errno.ETIME,
                    RawSyscall.blocking(RawSyscall.SYS_IO_URING_ENTER, ring.fd(), 0, 1, getEventsExtArg, arg.address(), 24));
            assertEquals(-Errno.EINVAL,
                    RawSyscall.blocking(RawSyscall.SYS_IO_URING_ENTER, ring.fd(), 0, 1, getEventsExtArg, arg.address(), 23));
        }
    }

    /** Libc's data-path read and write move bytes through the stub: an eventfd counts what was written. */
    @Test
    void readAndWriteMoveBytes() {
        assumeTrue(RawSyscall.AVAILABLE);
        try (EventFd counter = EventFd.create()) {
            assertEquals(0, counter.signal());
            assertEquals(0, counter.signal());
            assertEquals(2, counter.drain());
            assertEquals(0, counter.drain(), "drained: the next read is EAGAIN");
        }
    }
}
