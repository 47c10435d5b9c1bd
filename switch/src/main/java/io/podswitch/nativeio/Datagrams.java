package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Batched datagram I/O for the UDP tunnel port: {@code sendmmsg(2)} and {@code recvmmsg(2)} over
 * arrays of {@link MsgHdr mmsghdr}, plus the UDP and IP socket options it sets.
 *
 * <p>Data path only, with the conventions of {@link Libc#read}: raw addresses instead of segments,
 * a caller-owned errno capture segment (used only where {@link RawSyscall} is unavailable), result =
 * messages moved or {@code -errno}; no exception, no allocation. Bound {@linkplain Linker.Option#critical critical}: both are only called on
 * non-blocking sockets ({@code SOCK_NONBLOCK}, and {@code MSG_DONTWAIT} on receive), so they return
 * at once.
 */
public final class Datagrams {
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_IPV6 = 41;
    public static final int SOL_UDP = 17;
    /** IP_MTU_DISCOVER / IPV6_MTU_DISCOVER with PMTUDISC_DO: DF set, never fragment, EMSGSIZE above the path MTU. */
    public static final int IP_MTU_DISCOVER = 10;
    public static final int IPV6_MTU_DISCOVER = 23;
    public static final int PMTUDISC_DO = 2;
    public static final int IPV6_V6ONLY = 26;
    /** UDP GSO (Linux 4.18): the cmsg / socket option carries the segment size (u16). */
    public static final int UDP_SEGMENT = 103;
    /** UDP GRO on receive (Linux 5.0). */
    public static final int UDP_GRO = 104;
    /** Segments per UDP GSO message: the kernel's UDP_MAX_SEGMENTS was 64 for years and later grew; 64 works everywhere. */
    public static final int UDP_MAX_SEGMENTS = 64;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = Sockets.MSG_DONTWAIT;

    private static final MethodHandle SENDMMSG = Native.downcall("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle RECVMMSG = Native.downcall("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG),
            Linker.Option.critical(false));

    private Datagrams() {
    }

    /*
     * Each public wrapper and its raw call are kept under C2's MaxInlineSize (35 bytes of bytecode), so
     * they are inlined even at call sites C2 judges cold; out of line, the JDK's errno-capture check
     * allocates a segment slice per call (docs/nativeio.md, "Data path").
     */

    /*
     * Where RawSyscall works (x86-64) the kernel's own result is used (-errno in the return value): only
     * scalars cross, nothing can allocate whatever C2 inlines. Elsewhere, libc with errno capture into
     * the caller's segment.
     */

    /** sendmmsg(2) of {@code count} mmsghdrs at {@code msgsAddress}; messages sent, or -errno. */
    public static int sendmmsg(MemorySegment errno, int fd, long msgsAddress, int count) {
        if (RawSyscall.AVAILABLE) {
            return (int) RawSyscall.call(RawSyscall.SYS_SENDMMSG, fd, msgsAddress, count, 0, 0);
        }
        return libcSendmmsg(errno, fd, msgsAddress, count);
    }

    private static int libcSendmmsg(MemorySegment errno, int fd, long msgsAddress, int count) {
        int n = rawSendmmsg(errno, fd, msgsAddress, count);
        return n >= 0 ? n : -Native.errno(errno);
    }

    /**
     * recvmmsg(2) with {@code MSG_DONTWAIT} into {@code count} mmsghdrs at {@code msgsAddress}, no timeout;
     * messages received, or -errno ({@code -EAGAIN} when nothing is queued).
     */
    public static int recvmmsg(MemorySegment errno, int fd, long msgsAddress, int count) {
        if (RawSyscall.AVAILABLE) {
            return (int) RawSyscall.call(RawSyscall.SYS_RECVMMSG, fd, msgsAddress, count, MSG_DONTWAIT, 0);
        }
        return libcRecvmmsg(errno, fd, msgsAddress, count);
    }

    private static int libcRecvmmsg(MemorySegment errno, int fd, long msgsAddress, int count) {
        int n = rawRecvmmsg(errno, fd, msgsAddress, count);
        return n >= 0 ? n : -Native.errno(errno);
    }

    private static int rawSendmmsg(MemorySegment errno, int fd, long msgsAddress, int count) {
        try {
            return (int) SENDMMSG.invokeExact(errno, fd, msgsAddress, count, 0);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private static int rawRecvmmsg(MemorySegment errno, int fd, long msgsAddress, int count) {
        try {
            return (int) RECVMMSG.invokeExact(errno, fd, msgsAddress, count, MSG_DONTWAIT, 0L);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private static AssertionError failed(Throwable t) {
        return new AssertionError("sendmmsg/recvmmsg downcall failed", t);
    }
}
