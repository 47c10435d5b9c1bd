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
 * One non-blocking kernel UDP socket of a {@link UdpTunnelPort} receive queue, bound to one local
 * address and the tunnel port, with its preallocated {@code mmsghdr}/{@code iovec}/{@code sockaddr}
 * arrays for one receive burst (transmit bursts are a {@link DatagramBatch}'s).
 *
 * <pre>
 *  receive (recvmmsg, MSG_DONTWAIT)
 *  rxMsgs[i] --name--> rxNames[i] (sender address and port, filled by the kernel)
 *            --iov---> rxIov[i] --> frame i, at data start + 42 (IPv4) / 62 (IPv6)
 * </pre>
 *
 * Receive arms only about twice as many frames as the previous call delivered (at least
 * {@value #MIN_ARM}, at most the budget): an empty poll — the common case on a busy-polling worker —
 * then costs a handful of frame allocations instead of a whole burst's. Frames are taken and
 * returned within each call, so the socket never holds frames between calls. Single-threaded: only
 * the worker owning the port's receive queue calls {@link #receive}.
 */
final class UdpTunnelSocket {
    /** Datagrams per receive call and per transmit flush. */
    static final int MAX_BURST = 256;
    private static final int MIN_ARM = 8;
    /** sockaddr slots are 32 bytes apart (sockaddr_in6 is 28). */
    static final long NAME_STRIDE = 32;
    private static final int DISCARD_BYTES = 64 * 1024;
    /** A slab whose frames leave less room than this after the synthesised headers is a configuration error. */
    private static final int MIN_DATAGRAM_ROOM = 256;

    private final int fd;
    private final boolean ip6;
    private final String label;
    private final boolean gso;
    /** UDP GRO on receive, or null when the kernel has no UDP_GRO (or GSO is configured off). */
    private final UdpGroReceive gro;
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

    private UdpTunnelSocket(int fd, boolean ip6, String label, boolean gso, boolean gro,
                            OuterHeaderSynthesizer synthesizer, SimplePortCounters counters, UdpTunnelCounters detail,
                            Arena arena) {
        this.fd = fd;
        this.ip6 = ip6;
        this.label = label;
        this.gso = gso;
        this.gro = gro ? new UdpGroReceive(arena) : null;
        this.synthesizer = synthesizer;
        this.counters = counters;
        this.detail = detail;
        this.errno = Native.errnoSegment(arena);
        this.nameLength = SockAddr.size(ip6 ? Sockets.AF_INET6 : Sockets.AF_INET);
        this.rxMsgs = arena.allocate(MsgHdr.SIZE * MAX_BURST, 64);
        int iovPerMessage = gro ? 2 : 1;
        this.rxIov = arena.allocate(IoVec.SIZE * MAX_BURST * iovPerMessage, 64);
        this.rxNames = arena.allocate(NAME_STRIDE * MAX_BURST, 64);
        this.discardAddress = arena.allocate(DISCARD_BYTES, 64).address();
        for (int i = 0; i < MAX_BURST; i++) {
            // Fixed per slot: receive message i always uses name i and iovec i.
            MsgHdr.set(rxMsgs, i, rxNames.address() + i * NAME_STRIDE, nameLength,
                    rxIov.address() + i * iovPerMessage * IoVec.SIZE, iovPerMessage);
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
            if (config.queues() > 1) {
                // One socket per queue on the same address and port; the kernel hashes each sender's
                // address and port to one of them.
                Sockets.setInt(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEPORT, 1, "SO_REUSEPORT", label);
            }
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
            boolean gro = gso && groEnabled(fd, label);
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
            return new UdpTunnelSocket(fd, v6, label, gso, gro, synthesizer, counters, detail, arena);
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
        return setUdpOptionIfKnown(fd, Datagrams.UDP_SEGMENT, 0, "UDP_SEGMENT", label);
    }

    /** UDP_GRO (Linux 5.0): switched on where it exists. */
    private static boolean groEnabled(int fd, String label) {
        return setUdpOptionIfKnown(fd, Datagrams.UDP_GRO, 1, "UDP_GRO", label);
    }

    /** Sets a SOL_UDP option; false when this kernel does not know it, any other failure thrown. */
    private static boolean setUdpOptionIfKnown(int fd, int option, int value, String name, String label) {
        try {
            Sockets.setInt(fd, Datagrams.SOL_UDP, option, value, name, label);
            return true;
        } catch (NativeException e) {
            if (e.errno() == Errno.ENOPROTOOPT || e.errno() == Errno.EINVAL || e.errno() == Errno.EOPNOTSUPP) {
                return false;
            }
            throw e;
        }
    }

    boolean gro() {
        return gro != null;
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
        int sizeBefore = into.size();
        if (gro != null && gro.waiting()) {
            // Segments of the previous call's coalesced datagrams first, in order; nothing new until
            // they are all out (their frames were counted as received when they were made).
            budget -= gro.drain(into);
            if (gro.waiting()) {
                return into.size() - sizeBefore;
            }
        }
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        long base = memory.address();
        int headroom = slab.headroom();
        int headerLength = synthesizer.headerLength();
        int capacity = slab.frameSize() - headroom - headerLength;
        if (capacity < MIN_DATAGRAM_ROOM) {
            throw new IllegalStateException("frames of " + slab.frameSize() + " bytes with " + headroom
                    + " bytes headroom leave " + capacity + " bytes for a datagram on " + label);
        }
        int limit = Math.min(budget, gro != null ? UdpGroReceive.MAX_MESSAGES : MAX_BURST);
        int want = Math.min(limit, Math.max(MIN_ARM, 2 * lastReceived));
        int iovPerMessage = gro != null ? 2 : 1;
        int armed = 0;
        while (armed < want) {
            int f = cache.allocate();
            if (f < 0) {
                break;
            }
            rxFrames[armed] = f;
            IoVec.set(rxIov, armed * iovPerMessage, base + slab.frameStart(f) + headroom + headerLength, capacity);
            rxMsgs.set(ValueLayout.JAVA_INT, armed * MsgHdr.SIZE + MsgHdr.NAMELEN, nameLength);
            if (gro != null) {
                gro.arm(rxMsgs, rxIov, armed);
            }
            armed++;
        }
        if (armed == 0) {
            if (limit > 0) {
                discard(limit);
            }
            return into.size() - sizeBefore;
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
            return into.size() - sizeBefore;
        }
        // Frames armed for messages that did not come back go back first: a coalesced datagram's
        // segments may need them.
        for (int i = n; i < armed; i++) {
            cache.free(rxFrames[i]);
        }
        int received = 0;
        long bytes = 0;
        int truncated = 0;
        int noFrame = 0;
        for (int i = 0; i < n; i++) {
            int f = rxFrames[i];
            int length = MsgHdr.length(rxMsgs, i);
            int segmentSize = gro != null ? gro.segmentSize(rxMsgs, i) : 0;
            if ((MsgHdr.flags(rxMsgs, i) & Datagrams.MSG_TRUNC) != 0
                    || (length > capacity && (segmentSize <= 0 || segmentSize > capacity))) {
                truncated++; // longer than a frame (with GRO: spilled into the overflow slice)
                cache.free(f);
                continue;
            }
            long p = slab.frameStart(f) + headroom;
            if (segmentSize > 0 && length > segmentSize) {
                // A coalesced datagram: segment 0 is in frame i already (its outer headers are written
                // in front of it; the bytes behind it are left for the copies), every further segment
                // gets a frame of its own.
                detail.add(UdpTunnelCounters.RX_GRO_DATAGRAMS, 1);
                bytes += deliver(slab, f, segmentSize, i, portId, into, cache);
                received++;
                for (int from = segmentSize; from < length; from += segmentSize) {
                    int g = cache.allocate();
                    if (g < 0) {
                        noFrame += (length - from + segmentSize - 1) / segmentSize;
                        break;
                    }
                    int piece = Math.min(segmentSize, length - from);
                    gro.copy(memory, p + headerLength, capacity, i, from, piece,
                            slab.frameStart(g) + headroom + headerLength);
                    bytes += deliver(slab, g, piece, i, portId, into, cache);
                    received++;
                }
                detail.add(UdpTunnelCounters.RX_GRO_SEGMENTS, (length + segmentSize - 1) / segmentSize);
                continue;
            }
            bytes += deliver(slab, f, length, i, portId, into, cache);
            received++;
        }
        lastReceived = n;
        if (received > 0) {
            counters.received(received, bytes);
        }
        if (truncated > 0) {
            counters.dropped(PortDropReason.OVERSIZE, truncated);
            detail.add(UdpTunnelCounters.RX_TRUNCATED, truncated);
        }
        if (noFrame > 0) {
            counters.dropped(PortDropReason.NO_FRAME, noFrame);
        }
        return into.size() - sizeBefore;
    }

    /**
     * Finishes a frame whose datagram (from message {@code message}) sits behind the headroom and the
     * outer headers: writes those headers, sets the frame's data and input port, and hands it on (through
     * the GRO FIFO when GRO is on, so order is kept). @return the frame's length
     */
    private int deliver(FrameSlab slab, int frame, int datagramLength, int message, int portId, PacketVector into,
                        FrameCache cache) {
        int headroom = slab.headroom();
        int frameLength = synthesizer.write(slab.memory(), slab.frameStart(frame) + headroom, datagramLength, rxNames,
                message * NAME_STRIDE);
        slab.setData(frame, headroom, frameLength);
        slab.setInPort(frame, portId);
        if (gro != null) {
            gro.emit(frame, into, cache);
        } else {
            into.add(frame);
        }
        return frameLength;
    }

    /** No frame free: read the queued datagrams into a scratch buffer so the queue keeps moving, count them. */
    private int discard(int limit) {
        int iovPerMessage = gro != null ? 2 : 1;
        for (int i = 0; i < limit; i++) {
            // Every iovec of the message is rewritten: a stale one would still point into a frame
            // that has since gone back to the pool (and to another owner).
            IoVec.set(rxIov, i * iovPerMessage, discardAddress, DISCARD_BYTES);
            if (gro != null) {
                IoVec.set(rxIov, i * iovPerMessage + 1, discardAddress, 0);
            }
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

    void close() {
        Libc.close(fd);
    }
}
