package io.podswitch.port.udp;

import io.podswitch.nativeio.Datagrams;
import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.IoVec;
import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.MsgHdr;
import io.podswitch.nativeio.Native;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.SockAddr;
import io.podswitch.nativeio.Sockets;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * One non-blocking kernel UDP socket of a {@link UdpTunnelPort}, bound to one local address and the
 * tunnel port, with its preallocated {@code mmsghdr}/{@code iovec}/{@code sockaddr} arrays for one
 * receive and one transmit burst.
 *
 * <pre>
 *  receive (recvmmsg, MSG_DONTWAIT)               transmit (sendmmsg, one call per burst)
 *  rxMsgs[i] --name--> rxNames[i] (sender)        txMsgs[m] --name--> txNames[m] (destination)
 *            --iov---> rxIov[i] --> frame i             --iov---> txIov[first(m) .. first(m)+k-1]
 *                       data start + 42 / 62                       each: UDP payload inside frame d
 *                                                       --control-> txControl[m]: UDP_SEGMENT size
 *                                                                   (only when k &gt; 1: a GSO message)
 * </pre>
 *
 * Receive arms only about twice as many frames as the previous call delivered (at least
 * {@value #MIN_ARM}, at most the budget): an empty poll — the common case on a busy-polling worker —
 * then costs a handful of frame allocations instead of a whole burst's. Frames are taken and
 * returned within each call, so the socket never holds frames between calls. Single-threaded: only
 * the worker owning the port's queue calls {@link #receive}, {@link #queue} and {@link #flush}.
 */
final class UdpTunnelSocket {
    /** Datagrams per receive call and per transmit flush. */
    static final int MAX_BURST = 256;
    private static final int MIN_ARM = 8;
    /** sockaddr slots are 32 bytes apart (sockaddr_in6 is 28). */
    private static final long NAME_STRIDE = 32;
    private static final long CONTROL_STRIDE = MsgHdr.cmsgSpace(2);
    /** A GSO message's payload bytes stay below the IPv4 datagram limit (65507). */
    private static final int GSO_MAX_BYTES = 65_000;
    private static final int DISCARD_BYTES = 64 * 1024;

    private final int fd;
    private final boolean ip6;
    private final String label;
    private final boolean gso;
    private final OuterHeaderSynthesizer synthesizer;
    private final SimplePortCounters counters;
    private final UdpTunnelCounters detail;
    private final MemorySegment errno;
    private final int nameLength;

    private final MemorySegment rxMsgs;
    private final MemorySegment rxIov;
    private final MemorySegment rxNames;
    private final long discardAddress;
    private final int[] rxFrames = new int[MAX_BURST];
    private int lastReceived;

    private final MemorySegment txMsgs;
    private final MemorySegment txIov;
    private final MemorySegment txNames;
    private final MemorySegment txControl;
    private final int[] txFrames = new int[MAX_BURST];
    private final int[] msgFirst = new int[MAX_BURST];
    private final int[] msgSegments = new int[MAX_BURST];
    private final int[] msgSegmentSize = new int[MAX_BURST];
    private final int[] msgPayloadBytes = new int[MAX_BURST];
    private final long[] msgFrameBytes = new long[MAX_BURST];
    private final boolean[] msgOpen = new boolean[MAX_BURST];
    private final long[] msgDestinationHigh = new long[MAX_BURST];
    private final long[] msgDestinationLow = new long[MAX_BURST];
    private final int[] msgDestinationPort = new int[MAX_BURST];
    private int datagrams;
    private int messages;

    private UdpTunnelSocket(int fd, boolean ip6, String label, boolean gso, OuterHeaderSynthesizer synthesizer,
                            SimplePortCounters counters, UdpTunnelCounters detail, Arena arena) {
        this.fd = fd;
        this.ip6 = ip6;
        this.label = label;
        this.gso = gso;
        this.synthesizer = synthesizer;
        this.counters = counters;
        this.detail = detail;
        this.errno = Native.errnoSegment(arena);
        this.nameLength = SockAddr.size(ip6 ? Sockets.AF_INET6 : Sockets.AF_INET);
        this.rxMsgs = arena.allocate(MsgHdr.SIZE * MAX_BURST, 64);
        this.rxIov = arena.allocate(IoVec.SIZE * MAX_BURST, 64);
        this.rxNames = arena.allocate(NAME_STRIDE * MAX_BURST, 64);
        this.discardAddress = arena.allocate(DISCARD_BYTES, 64).address();
        this.txMsgs = arena.allocate(MsgHdr.SIZE * MAX_BURST, 64);
        this.txIov = arena.allocate(IoVec.SIZE * MAX_BURST, 64);
        this.txNames = arena.allocate(NAME_STRIDE * MAX_BURST, 64);
        this.txControl = arena.allocate(CONTROL_STRIDE * MAX_BURST, 64);
        short family = (short) (ip6 ? Sockets.AF_INET6 : Sockets.AF_INET);
        for (int i = 0; i < MAX_BURST; i++) {
            // Fixed per slot: receive message i always uses name i and iovec i; transmit names carry the family.
            MsgHdr.set(rxMsgs, i, rxNames.address() + i * NAME_STRIDE, nameLength, rxIov.address() + i * IoVec.SIZE, 1);
            txNames.set(ValueLayout.JAVA_SHORT, i * NAME_STRIDE + SockAddr.FAMILY, family);
            long control = i * CONTROL_STRIDE;
            txControl.set(ValueLayout.JAVA_LONG, control + MsgHdr.CMSG_LEN, MsgHdr.cmsgLen(2));
            txControl.set(ValueLayout.JAVA_INT, control + MsgHdr.CMSG_LEVEL, Datagrams.SOL_UDP);
            txControl.set(ValueLayout.JAVA_INT, control + MsgHdr.CMSG_TYPE, Datagrams.UDP_SEGMENT);
        }
    }

    /**
     * Opens, configures and binds a socket on {@code local}:{@code config.udpPort()} in the calling
     * thread's network namespace. On failure the descriptor is closed and the exception names the
     * call, the socket and the errno.
     */
    static UdpTunnelSocket open(UdpTunnelPortConfig config, InetAddress local, SimplePortCounters counters,
                                UdpTunnelCounters detail, Arena arena) {
        boolean v6 = local instanceof Inet6Address;
        String label = "UDP tunnel port " + config.name() + " on "
                + (v6 ? "[" + local.getHostAddress() + "]" : local.getHostAddress()) + ":" + config.udpPort();
        int fd = Sockets.socket(v6 ? Sockets.AF_INET6 : Sockets.AF_INET, Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK,
                0, label);
        try {
            Sockets.setInt(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1, "SO_REUSEADDR", label);
            setBuffer(fd, Sockets.SO_RCVBUFFORCE, Sockets.SO_RCVBUF, "SO_RCVBUF", config.socketBufferBytes(), label);
            setBuffer(fd, Sockets.SO_SNDBUFFORCE, Sockets.SO_SNDBUF, "SO_SNDBUF", config.socketBufferBytes(), label);
            if (v6) {
                Sockets.setInt(fd, Datagrams.IPPROTO_IPV6, Datagrams.IPV6_V6ONLY, 1, "IPV6_V6ONLY", label);
                Sockets.setInt(fd, Datagrams.IPPROTO_IPV6, Datagrams.IPV6_MTU_DISCOVER, Datagrams.PMTUDISC_DO,
                        "IPV6_MTU_DISCOVER", label);
            } else {
                Sockets.setInt(fd, Datagrams.IPPROTO_IP, Datagrams.IP_MTU_DISCOVER, Datagrams.PMTUDISC_DO,
                        "IP_MTU_DISCOVER", label);
            }
            boolean gso = config.gso() && gsoSupported(fd, label);
            try (Arena temporary = Arena.ofConfined()) {
                MemorySegment address = temporary.allocate(SockAddr.IN6_SIZE, 8);
                SockAddr.write(address, local, config.udpPort());
                Sockets.bind(fd, address.asSlice(0, SockAddr.size(v6 ? Sockets.AF_INET6 : Sockets.AF_INET)), label);
            }
            OuterHeaderSynthesizer synthesizer;
            byte[] a = local.getAddress();
            if (v6) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(a);
                synthesizer = OuterHeaderSynthesizer.ip6(config.mac(), b.getLong(), b.getLong(), config.udpPort());
            } else {
                synthesizer = OuterHeaderSynthesizer.ip4(config.mac(), java.nio.ByteBuffer.wrap(a).getInt(),
                        config.udpPort());
            }
            return new UdpTunnelSocket(fd, v6, label, gso, synthesizer, counters, detail, arena);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** Forces the buffer size past net.core.{r,w}mem_max when allowed (CAP_NET_ADMIN), else asks politely. */
    private static void setBuffer(int fd, int force, int plain, String name, int bytes, String label) {
        try {
            Sockets.setInt(fd, Sockets.SOL_SOCKET, force, bytes, name + "FORCE", label);
        } catch (NativeException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
            Sockets.setInt(fd, Sockets.SOL_SOCKET, plain, bytes, name, label);
        }
    }

    /** UDP_SEGMENT (Linux 4.18): setting the socket default to 0 (off) succeeds exactly where it exists. */
    private static boolean gsoSupported(int fd, String label) {
        try {
            Sockets.setInt(fd, Datagrams.SOL_UDP, Datagrams.UDP_SEGMENT, 0, "UDP_SEGMENT", label);
            return true;
        } catch (NativeException e) {
            if (e.errno() == Errno.ENOPROTOOPT || e.errno() == Errno.EINVAL || e.errno() == Errno.EOPNOTSUPP) {
                return false;
            }
            throw e;
        }
    }

    boolean isIp6() {
        return ip6;
    }

    boolean gso() {
        return gso;
    }

    int fd() {
        return fd;
    }

    String label() {
        return label;
    }

    /**
     * Receives up to {@code budget} datagrams (at most {@link #MAX_BURST}) with one {@code recvmmsg}
     * straight into frames, synthesises their outer headers and appends them to {@code into}.
     */
    int receive(PacketVector into, int budget, FrameCache cache, int portId) {
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        long base = memory.address();
        int headroom = slab.headroom();
        int headerLength = synthesizer.headerLength();
        long capacity = slab.frameSize() - headroom - headerLength;
        int limit = Math.min(budget, MAX_BURST);
        int want = Math.min(limit, Math.max(MIN_ARM, 2 * lastReceived));
        int armed = 0;
        while (armed < want) {
            int f = cache.allocate();
            if (f < 0) {
                break;
            }
            rxFrames[armed] = f;
            IoVec.set(rxIov, armed, base + slab.frameStart(f) + headroom + headerLength, capacity);
            rxMsgs.set(ValueLayout.JAVA_INT, armed * MsgHdr.SIZE + MsgHdr.NAMELEN, nameLength);
            armed++;
        }
        if (armed == 0) {
            return limit == 0 ? 0 : discard(limit);
        }
        int n = Datagrams.recvmmsg(errno, fd, rxMsgs.address(), armed);
        detail.add(UdpTunnelCounters.RX_SYSCALLS, 1);
        if (n < 0) {
            for (int i = 0; i < armed; i++) {
                cache.free(rxFrames[i]);
            }
            lastReceived = 0;
            if (n != -Errno.EAGAIN && n != -Errno.EINTR) {
                counters.dropped(PortDropReason.IO_ERROR, 1);
            }
            return 0;
        }
        int received = 0;
        long bytes = 0;
        int truncated = 0;
        for (int i = 0; i < n; i++) {
            int f = rxFrames[i];
            if ((MsgHdr.flags(rxMsgs, i) & Datagrams.MSG_TRUNC) != 0) {
                truncated++;
                cache.free(f);
                continue;
            }
            long p = slab.frameStart(f) + headroom;
            int length = synthesizer.write(memory, p, MsgHdr.length(rxMsgs, i), rxNames, i * NAME_STRIDE);
            slab.setData(f, headroom, length);
            slab.setInPort(f, portId);
            into.add(f);
            received++;
            bytes += length;
        }
        for (int i = n; i < armed; i++) {
            cache.free(rxFrames[i]);
        }
        lastReceived = n;
        if (received > 0) {
            counters.received(received, bytes);
        }
        if (truncated > 0) {
            counters.dropped(PortDropReason.OVERSIZE, truncated);
            detail.add(UdpTunnelCounters.RX_TRUNCATED, truncated);
        }
        return received;
    }

    /** No frame free: read the queued datagrams into a scratch buffer so the queue keeps moving, count them. */
    private int discard(int limit) {
        for (int i = 0; i < limit; i++) {
            IoVec.set(rxIov, i, discardAddress, DISCARD_BYTES);
            rxMsgs.set(ValueLayout.JAVA_INT, i * MsgHdr.SIZE + MsgHdr.NAMELEN, nameLength);
        }
        int n = Datagrams.recvmmsg(errno, fd, rxMsgs.address(), limit);
        detail.add(UdpTunnelCounters.RX_SYSCALLS, 1);
        if (n > 0) {
            counters.dropped(PortDropReason.NO_FRAME, n);
        }
        lastReceived = 0;
        return 0;
    }

    /** Whether {@link #queue} has no room left (the caller flushes first). */
    boolean full() {
        return datagrams == MAX_BURST;
    }

    /**
     * Adds the parsed datagram (UDP payload at raw address {@code payloadAddress}) of frame {@code f} to the
     * pending burst; the frame stays owned by the socket until {@link #flush}. Consecutive datagrams to the
     * same destination whose sizes are equal (the last one may be shorter) share one GSO message.
     */
    void queue(int f, long payloadAddress, int frameLength, OuterFrameParser parsed) {
        int length = parsed.payloadLength;
        int d = datagrams++;
        txFrames[d] = f;
        IoVec.set(txIov, d, payloadAddress, length);
        long high = ip6 ? parsed.destination6High : parsed.destination4;
        long low = ip6 ? parsed.destination6Low : 0;
        int port = parsed.destinationPort;
        int m = messages - 1;
        if (gso && m >= 0 && msgOpen[m] && length > 0 && length <= msgSegmentSize[m]
                && msgDestinationPort[m] == port && msgDestinationHigh[m] == high && msgDestinationLow[m] == low
                && msgSegments[m] < Datagrams.UDP_MAX_SEGMENTS && msgPayloadBytes[m] + length <= GSO_MAX_BYTES) {
            msgSegments[m]++;
            msgPayloadBytes[m] += length;
            msgFrameBytes[m] += frameLength;
            msgOpen[m] = length == msgSegmentSize[m]; // a shorter datagram ends the message
            return;
        }
        m = messages++;
        msgFirst[m] = d;
        msgSegments[m] = 1;
        msgSegmentSize[m] = length;
        msgPayloadBytes[m] = length;
        msgFrameBytes[m] = frameLength;
        msgOpen[m] = length > 0;
        msgDestinationHigh[m] = high;
        msgDestinationLow[m] = low;
        msgDestinationPort[m] = port;
        long name = m * NAME_STRIDE;
        txNames.set(ValueLayout.JAVA_BYTE, name + SockAddr.PORT, (byte) (port >>> 8));
        txNames.set(ValueLayout.JAVA_BYTE, name + SockAddr.PORT + 1, (byte) port);
        if (ip6) {
            txNames.set(io.podswitch.packet.Bytes.NET_LONG, name + SockAddr.IN6_ADDR, high);
            txNames.set(io.podswitch.packet.Bytes.NET_LONG, name + SockAddr.IN6_ADDR + 8, low);
        } else {
            txNames.set(io.podswitch.packet.Bytes.NET_INT, name + SockAddr.IN_ADDR, (int) high);
        }
    }

    /**
     * Sends the pending burst with {@code sendmmsg} — one call, more only when the kernel stops at a
     * failing message (which is counted and skipped) — then frees every frame. A full socket buffer
     * (EAGAIN, ENOBUFS) drops the rest of the burst as TX_FULL: a worker never waits.
     */
    int flush(FrameCache cache) {
        int count = messages;
        if (count == 0) {
            return 0;
        }
        long iov = txIov.address();
        long names = txNames.address();
        long control = txControl.address();
        int gsoMessages = 0;
        int gsoDatagrams = 0;
        for (int m = 0; m < count; m++) {
            int segments = msgSegments[m];
            MsgHdr.set(txMsgs, m, names + m * NAME_STRIDE, nameLength, iov + msgFirst[m] * IoVec.SIZE, segments);
            if (segments > 1) {
                txControl.set(ValueLayout.JAVA_SHORT_UNALIGNED, m * CONTROL_STRIDE + MsgHdr.CMSG_HEADER,
                        (short) msgSegmentSize[m]);
                MsgHdr.setControl(txMsgs, m, control + m * CONTROL_STRIDE, CONTROL_STRIDE);
                gsoMessages++;
                gsoDatagrams += segments;
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
            int n = Datagrams.sendmmsg(errno, fd, txMsgs.address() + done * MsgHdr.SIZE, count - done);
            calls++;
            if (n > 0) {
                for (int m = done; m < done + n; m++) {
                    sent += msgSegments[m];
                    bytes += msgFrameBytes[m];
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
                    full += msgSegments[m];
                }
                break;
            }
            int lost = msgSegments[done];
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
            cache.free(txFrames[d]);
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
        if ((full | oversize | down | ioError) != 0) {
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
        }
        return sent;
    }

    void close() {
        Libc.close(fd);
    }
}
