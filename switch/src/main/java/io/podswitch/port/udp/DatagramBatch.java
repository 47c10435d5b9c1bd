package io.podswitch.port.udp;

import io.podswitch.nativeio.Datagrams;
import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.IoVec;
import io.podswitch.nativeio.MsgHdr;
import io.podswitch.nativeio.Native;
import io.podswitch.nativeio.SockAddr;
import io.podswitch.nativeio.Sockets;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.FrameCache;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One transmit burst of datagrams of one IP family, collected from frames and sent with one
 * {@code sendmmsg}. The datagrams are not copied: each iovec points at the UDP payload inside its
 * frame, and the frames are freed after the call (the kernel has copied them by then).
 *
 * <pre>
 *  msgs[m] --name----> names[m]   destination sockaddr (family set once, port + address per message)
 *          --iov-----> iov[first(m)] .. iov[first(m) + k - 1]   one per datagram, in frame memory
 *          --control-> control[m]  cmsg SOL_UDP / UDP_SEGMENT / segment size (u16)
 *                                  only when k &gt; 1: a UDP GSO message, cut by the kernel into k
 *                                  datagrams of the segment size (the last may be shorter)
 * </pre>
 *
 * With GSO, a datagram joins the previous message when it goes to the same address and port, is not
 * longer than that message's segment size, the message's last datagram was not shorter (only the
 * last segment may be), and the message stays within 64 segments and 65 000 bytes. Owned by one
 * thread ({@link TransmitContext}); allocation free after construction.
 */
final class DatagramBatch {
    private static final long CONTROL_STRIDE = MsgHdr.cmsgSpace(2);
    /** A GSO message's payload bytes stay below the IPv4 datagram limit (65 507). */
    private static final int GSO_MAX_BYTES = 65_000;
    private static final int MAX = UdpTunnelSocket.MAX_BURST;
    private static final long NAME_STRIDE = UdpTunnelSocket.NAME_STRIDE;

    private final boolean ip6;
    private final boolean gso;
    private final int nameLength;
    private final MemorySegment errno;
    private final MemorySegment msgs;
    private final MemorySegment iov;
    private final MemorySegment names;
    private final MemorySegment control;
    private final int[] frames = new int[MAX];
    private final int[] first = new int[MAX];
    private final int[] segments = new int[MAX];
    private final int[] segmentSize = new int[MAX];
    private final int[] payloadBytes = new int[MAX];
    private final long[] frameBytes = new long[MAX];
    private final boolean[] open = new boolean[MAX];
    private final long[] destinationHigh = new long[MAX];
    private final long[] destinationLow = new long[MAX];
    private final int[] destinationPort = new int[MAX];
    private int datagrams;
    private int messages;

    DatagramBatch(boolean ip6, boolean gso, Arena arena) {
        this.ip6 = ip6;
        this.gso = gso;
        this.nameLength = SockAddr.size(ip6 ? Sockets.AF_INET6 : Sockets.AF_INET);
        this.errno = Native.errnoSegment(arena);
        this.msgs = arena.allocate(MsgHdr.SIZE * MAX, 64);
        this.iov = arena.allocate(IoVec.SIZE * MAX, 64);
        this.names = arena.allocate(NAME_STRIDE * MAX, 64);
        this.control = arena.allocate(CONTROL_STRIDE * MAX, 64);
        short family = (short) (ip6 ? Sockets.AF_INET6 : Sockets.AF_INET);
        for (int i = 0; i < MAX; i++) {
            names.set(ValueLayout.JAVA_SHORT, i * NAME_STRIDE + SockAddr.FAMILY, family);
            long c = i * CONTROL_STRIDE;
            control.set(ValueLayout.JAVA_LONG, c + MsgHdr.CMSG_LEN, MsgHdr.cmsgLen(2));
            control.set(ValueLayout.JAVA_INT, c + MsgHdr.CMSG_LEVEL, Datagrams.SOL_UDP);
            control.set(ValueLayout.JAVA_INT, c + MsgHdr.CMSG_TYPE, Datagrams.UDP_SEGMENT);
        }
    }

    boolean gso() {
        return gso;
    }

    /** Whether {@link #add} has no room left (the caller flushes first). */
    boolean full() {
        return datagrams == MAX;
    }

    /**
     * Adds the datagram parsed from frame {@code f} (its UDP payload at raw address
     * {@code payloadAddress}); the frame belongs to the batch until {@link #flush}.
     */
    void add(int f, long payloadAddress, int frameLength, OuterFrameParser parsed) {
        int length = parsed.payloadLength;
        int d = datagrams++;
        frames[d] = f;
        IoVec.set(iov, d, payloadAddress, length);
        long high = ip6 ? parsed.destination6High : parsed.destination4;
        long low = ip6 ? parsed.destination6Low : 0;
        int port = parsed.destinationPort;
        int m = messages - 1;
        if (gso && m >= 0 && open[m] && length > 0 && length <= segmentSize[m]
                && destinationPort[m] == port && destinationHigh[m] == high && destinationLow[m] == low
                && segments[m] < Datagrams.UDP_MAX_SEGMENTS && payloadBytes[m] + length <= GSO_MAX_BYTES) {
            segments[m]++;
            payloadBytes[m] += length;
            frameBytes[m] += frameLength;
            open[m] = length == segmentSize[m]; // a shorter datagram ends the message
            return;
        }
        m = messages++;
        first[m] = d;
        segments[m] = 1;
        segmentSize[m] = length;
        payloadBytes[m] = length;
        frameBytes[m] = frameLength;
        open[m] = length > 0;
        destinationHigh[m] = high;
        destinationLow[m] = low;
        destinationPort[m] = port;
        long name = m * NAME_STRIDE;
        Bytes.u16(names, name + SockAddr.PORT, port);
        if (ip6) {
            Bytes.i64(names, name + SockAddr.IN6_ADDR, high);
            Bytes.i64(names, name + SockAddr.IN6_ADDR + 8, low);
        } else {
            Bytes.i32(names, name + SockAddr.IN_ADDR, (int) high);
        }
    }

    /**
     * Sends the batch on {@code fd} with {@code sendmmsg} — one call, more only when the kernel stops
     * at a failing message (counted by errno and skipped) — then frees every frame. A full socket
     * buffer (EAGAIN, ENOBUFS) drops the rest of the batch as TX_FULL: a worker never waits.
     * @return datagrams sent
     */
    int flush(int fd, FrameCache cache, SimplePortCounters counters, UdpTunnelCounters detail) {
        int count = messages;
        if (count == 0) {
            return 0;
        }
        long iovBase = iov.address();
        long namesBase = names.address();
        long controlBase = control.address();
        int gsoMessages = 0;
        int gsoDatagrams = 0;
        for (int m = 0; m < count; m++) {
            int k = segments[m];
            MsgHdr.set(msgs, m, namesBase + m * NAME_STRIDE, nameLength, iovBase + first[m] * IoVec.SIZE, k);
            if (k > 1) {
                // cmsg data is a host-order u16
                control.set(ValueLayout.JAVA_SHORT_UNALIGNED, m * CONTROL_STRIDE + MsgHdr.CMSG_HEADER,
                        (short) segmentSize[m]);
                MsgHdr.setControl(msgs, m, controlBase + m * CONTROL_STRIDE, CONTROL_STRIDE);
                gsoMessages++;
                gsoDatagrams += k;
            }
        }
        int sent = 0;
        long bytes = 0;
        int full = 0;
        int oversize = 0;
        int down = 0;
        int ioError = 0;
        int calls = 0;
        int done = 0;
        while (done < count) {
            int n = Datagrams.sendmmsg(errno, fd, msgs.address() + done * MsgHdr.SIZE, count - done);
            calls++;
            if (n > 0) {
                for (int m = done; m < done + n; m++) {
                    sent += segments[m];
                    bytes += frameBytes[m];
                }
                done += n;
                continue;
            }
            int e = n == 0 ? Errno.EAGAIN : -n;
            if (e == Errno.EINTR) {
                continue;
            }
            if (e == Errno.EAGAIN || e == Errno.ENOBUFS) {
                for (int m = done; m < count; m++) {
                    full += segments[m];
                }
                break;
            }
            int lost = segments[done];
            if (e == Errno.EMSGSIZE) {
                oversize += lost;
            } else if (e == Errno.ENETUNREACH || e == Errno.EHOSTUNREACH || e == Errno.ENETDOWN
                    || e == Errno.EADDRNOTAVAIL) {
                down += lost;
            } else {
                ioError += lost;
            }
            done++;
        }
        for (int d = 0; d < datagrams; d++) {
            cache.free(frames[d]);
        }
        datagrams = 0;
        messages = 0;
        detail.add(UdpTunnelCounters.TX_SYSCALLS, calls);
        if (gsoMessages > 0) {
            detail.add(UdpTunnelCounters.TX_GSO_MESSAGES, gsoMessages);
            detail.add(UdpTunnelCounters.TX_GSO_DATAGRAMS, gsoDatagrams);
        }
        if (sent > 0) {
            counters.transmitted(sent, bytes);
        }
        if (full > 0) {
            counters.dropped(PortDropReason.TX_FULL, full);
        }
        if (oversize > 0) {
            counters.dropped(PortDropReason.OVERSIZE, oversize);
        }
        if (down > 0) {
            counters.dropped(PortDropReason.LINK_DOWN, down);
        }
        if (ioError > 0) {
            counters.dropped(PortDropReason.IO_ERROR, ioError);
        }
        return sent;
    }
}
