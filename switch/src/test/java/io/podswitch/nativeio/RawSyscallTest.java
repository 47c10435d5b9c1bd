package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The raw system call stub returns the kernel's result as is: a value, or -errno without touching
 * libc's errno; and Datagrams' data-path calls give the same -errno through it.
 */
class RawSyscallTest {
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
        } finally {
            Libc.close(fd);
        }
    }
}
