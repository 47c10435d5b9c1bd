package io.podswitch.port.udp;

import io.podswitch.nativeio.Netns;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * The {@code udp} uplink attachment: overlay traffic between nodes through kernel UDP sockets bound
 * to the node's underlay address(es) and the tunnel port, for hosts without XDP. The graph sees an
 * ordinary Ethernet uplink carrying complete outer frames; this port translates:
 *
 * <ul>
 * <li><b>transmit</b>: each frame is a full outer frame from the {@code Encapsulator}
 *     (Ethernet + IPv4/IPv6 + UDP + VXLAN/Geneve + inner frame). {@link OuterFrameParser} reads the
 *     outer destination address and UDP port; the UDP payload goes out from the socket of that IP
 *     family, the whole burst in one {@code sendmmsg}, runs of equal-size datagrams to one peer as
 *     UDP GSO messages when {@link UdpTunnelPortConfig#gso()} and the kernel allow. Frames that cannot
 *     be sent as such a datagram (not UDP, inconsistent headers, another source address, a family
 *     without socket) are dropped and counted MALFORMED, outer packets above the MTU OVERSIZE.</li>
 * <li><b>receive</b>: {@code recvmmsg(MSG_DONTWAIT)} puts each datagram straight into a frame,
 *     behind room for the outer headers, which {@link OuterHeaderSynthesizer} then writes (sender as
 *     outer source, the socket's address as destination, the port MAC as Ethernet destination). The
 *     frame goes on to ethernet-input of the uplink {@code Interface} and overlay-decap, which check
 *     peer, destination, port and VNI as for any uplink. Truncated datagrams are dropped (OVERSIZE).</li>
 * </ul>
 *
 * One queue. Both directions are allocation free, lock free, never block (non-blocking sockets) and
 * never throw on the data path. Open with {@link #open} in the namespace whose addresses are
 * bound, or {@link #openIn} to create the sockets inside another namespace; the sockets stay in it.
 */
public final class UdpTunnelPort implements Port {
    private final int id;
    private final UdpTunnelPortConfig config;
    private final Arena arena;
    private final UdpTunnelSocket socket4;
    private final UdpTunnelSocket socket6;
    private final OuterFrameParser parser;
    private final SimplePortCounters counters = new SimplePortCounters();
    private final UdpTunnelCounters detail = new UdpTunnelCounters();
    private boolean sixFirst;
    private boolean closed;

    private UdpTunnelPort(int id, UdpTunnelPortConfig config) {
        this.id = id;
        this.config = config;
        this.arena = Arena.ofShared();
        UdpTunnelSocket s4 = null;
        UdpTunnelSocket s6 = null;
        try {
            if (config.local4() != null) {
                s4 = UdpTunnelSocket.open(config, config.local4(), counters, detail, arena);
            }
            if (config.local6() != null) {
                s6 = UdpTunnelSocket.open(config, config.local6(), counters, detail, arena);
            }
        } catch (RuntimeException e) {
            if (s4 != null) {
                s4.close();
            }
            arena.close();
            throw e;
        }
        this.socket4 = s4;
        this.socket6 = s6;
        long[] six = config.local6() == null ? new long[2] : words(config.local6());
        this.parser = new OuterFrameParser(s4 != null, s4 == null ? 0 : (int) words(config.local4())[0],
                s6 != null, six[0], six[1]);
    }

    private static long[] words(InetAddress a) {
        ByteBuffer b = ByteBuffer.wrap(a.getAddress());
        return b.remaining() == 4 ? new long[] {b.getInt()} : new long[] {b.getLong(), b.getLong()};
    }

    /** Opens the socket(s) in the calling thread's network namespace. */
    public static UdpTunnelPort open(int id, UdpTunnelPortConfig config) {
        return new UdpTunnelPort(id, config);
    }

    /**
     * Opens the socket(s) inside the network namespace {@code netnsFd} (e.g. a test "node"); they keep
     * working from any thread afterwards.
     */
    public static UdpTunnelPort openIn(int netnsFd, String netnsLabel, int id, UdpTunnelPortConfig config) {
        return Netns.call(netnsFd, netnsLabel, () -> open(id, config));
    }

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        UdpTunnelSocket first = socket4;
        UdpTunnelSocket second = socket6;
        if (first == null || (second != null && sixFirst)) {
            first = socket6;
            second = socket4;
        }
        // Alternate which family goes first, so a flood on one cannot starve the other.
        sixFirst = !sixFirst;
        int received = first.receive(into, into.free(), cache, id);
        if (second != null && into.free() > 0) {
            received += second.receive(into, into.free(), cache, id);
        }
        return received;
    }

    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        long base = memory.address();
        OuterFrameParser p = parser;
        int mtu = config.mtu();
        int count = from.size();
        int malformed = 0;
        int oversize = 0;
        int notUdp = 0;
        int wrongSource = 0;
        int noSocket = 0;
        int sent = 0;
        for (int i = 0; i < count; i++) {
            int f = from.frame(i);
            long start = slab.dataStart(f);
            int length = slab.length(f);
            int result = p.parse(memory, start, length);
            if (result != OuterFrameParser.OK) {
                malformed++;
                if (result == OuterFrameParser.NOT_UDP) {
                    notUdp++;
                } else if (result == OuterFrameParser.WRONG_SOURCE) {
                    wrongSource++;
                } else if (result == OuterFrameParser.NO_SOCKET) {
                    noSocket++;
                }
                cache.free(f);
                continue;
            }
            if (p.ipLength > mtu) {
                oversize++;
                cache.free(f);
                continue;
            }
            UdpTunnelSocket s = p.ip6 ? socket6 : socket4;
            if (s.full()) {
                sent += s.flush(cache);
            }
            s.queue(f, base + start + p.payloadOffset, length, p);
        }
        from.clear();
        if (socket4 != null) {
            sent += socket4.flush(cache);
        }
        if (socket6 != null) {
            sent += socket6.flush(cache);
        }
        if ((malformed | oversize) != 0) {
            if (malformed > 0) {
                counters.dropped(PortDropReason.MALFORMED, malformed);
                detail.add(UdpTunnelCounters.TX_MALFORMED, malformed - notUdp - wrongSource - noSocket);
                if (notUdp > 0) {
                    detail.add(UdpTunnelCounters.TX_NOT_UDP, notUdp);
                }
                if (wrongSource > 0) {
                    detail.add(UdpTunnelCounters.TX_WRONG_SOURCE, wrongSource);
                }
                if (noSocket > 0) {
                    detail.add(UdpTunnelCounters.TX_NO_SOCKET, noSocket);
                }
            }
            if (oversize > 0) {
                counters.dropped(PortDropReason.OVERSIZE, oversize);
            }
        }
        return sent;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public int queueCount() {
        return 1;
    }

    /** The underlay MTU: the largest outer IP packet sent. */
    @Override
    public int mtu() {
        return config.mtu();
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    /** Finer reasons behind MALFORMED/OVERSIZE drops, GSO and system call counts. */
    public UdpTunnelCounters udpCounters() {
        return detail;
    }

    public UdpTunnelPortConfig config() {
        return config;
    }

    /** Whether transmit on the socket of that family uses UDP GSO (asked for and supported by the kernel). */
    public boolean gsoActive(boolean ip6) {
        UdpTunnelSocket s = ip6 ? socket6 : socket4;
        return s != null && s.gso();
    }

    /** The socket descriptor of a family, -1 if none (for poll-based waiting in tests and idle strategies). */
    public int fd(boolean ip6) {
        UdpTunnelSocket s = ip6 ? socket6 : socket4;
        return s == null ? -1 : s.fd();
    }

    /** Closes the sockets; call after the owning worker stopped polling the port. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (socket4 != null) {
            socket4.close();
        }
        if (socket6 != null) {
            socket6.close();
        }
        arena.close();
    }
}
