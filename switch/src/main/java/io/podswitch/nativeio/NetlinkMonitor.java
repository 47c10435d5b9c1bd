package io.podswitch.nativeio;

import static io.podswitch.nativeio.NetlinkLayouts.NETLINK_ROUTE;
import static io.podswitch.nativeio.NetlinkLayouts.SOCKADDR_NL;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An rtnetlink socket subscribed to multicast groups ({@code RTMGRP_*}): the kernel sends a message for
 * every change of a neighbour, route or link, in the namespace the socket was opened in. The caller only
 * learns that something changed and re-reads what it needs with {@link Netlink} (messages can be lost
 * when the socket buffer overflows — ENOBUFS — so reading the state again is the robust answer anyway).
 *
 * <pre>
 *   sockaddr_nl bound:  | family AF_NETLINK | pad | pid 0 (kernel assigns) | groups (bit mask) |
 * </pre>
 */
public final class NetlinkMonitor implements AutoCloseable {
    /** Neighbour table changes (ARP/ND entries created, resolved, changed, deleted). */
    public static final int RTMGRP_NEIGH = 0x4;
    public static final int RTMGRP_LINK = 0x1;
    public static final int RTMGRP_IPV4_ROUTE = 0x40;
    public static final int RTMGRP_IPV6_ROUTE = 0x400;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private final Thread reader;
    private volatile boolean stopping;

    private NetlinkMonitor(int fd, Runnable onChange, String threadName) {
        this.fd = fd;
        this.buffer = arena.allocate(BUFFER_BYTES, 8);
        this.reader = Thread.ofPlatform().name(threadName).daemon().unstarted(() -> run(onChange));
    }

    /**
     * Opens the socket in the calling thread's namespace and starts a reader thread that calls
     * {@code onChange} after each batch of change messages (it should only schedule work elsewhere).
     *
     * @param groups      RTMGRP_* bits
     * @param pollMillis  how long one receive blocks at most, so the reader notices {@link #close}
     */
    public static NetlinkMonitor start(int groups, long pollMillis, Runnable onChange, String threadName) {
        int fd = Sockets.socket(Sockets.AF_NETLINK, Sockets.SOCK_RAW | Sockets.SOCK_CLOEXEC, NETLINK_ROUTE,
                "rtnetlink monitor");
        NetlinkMonitor monitor;
        try {
            Sockets.setReceiveTimeout(fd, pollMillis, "rtnetlink monitor");
            monitor = new NetlinkMonitor(fd, onChange, threadName);
            MemorySegment local = monitor.arena.allocate(SOCKADDR_NL);
            local.set(JAVA_SHORT, 0, (short) Sockets.AF_NETLINK);
            local.set(JAVA_INT, 8, groups);
            Sockets.bind(fd, local, "rtnetlink monitor groups 0x" + Integer.toHexString(groups));
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        monitor.reader.start();
        return monitor;
    }

    // The reader owns the descriptor: it closes it itself once told to stop, so no other thread ever
    // closes a descriptor this one may still be blocked on (the number could be reused meanwhile).
    private void run(Runnable onChange) {
        try {
            while (!stopping) {
                if (await() && !stopping) {
                    onChange.run();
                }
            }
        } catch (RuntimeException e) {
            if (!stopping) {
                System.err.println("rtnetlink monitor stopped: " + e);
            }
        } finally {
            Libc.close(fd);
            arena.close();
        }
    }

    /** One receive: true when the kernel reported a change (or lost messages), false on timeout. */
    private boolean await() {
        try {
            return Sockets.receive(fd, buffer, 0, "rtnetlink monitor") > 0;
        } catch (NativeException e) {
            if (e.errno() == Errno.EAGAIN) {
                return false;
            }
            if (e.errno() == Errno.ENOBUFS) {
                return true; // messages were lost: something changed, re-read everything
            }
            throw e;
        }
    }

    /** Stops the reader (within its poll time) and waits for it; the descriptor closes with it. */
    @Override
    public void close() {
        stopping = true;
        if (Thread.currentThread() != reader) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
