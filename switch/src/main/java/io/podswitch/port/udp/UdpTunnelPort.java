package io.podswitch.port.udp;

import io.podswitch.nativeio.Netns;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.SimplePortCounters;
import io.podswitch.stats.CounterSource;

import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code udp} uplink attachment: overlay traffic between nodes through kernel UDP sockets bound
 * to the node's underlay address(es) and the tunnel port, for hosts without XDP. The graph sees an
 * ordinary Ethernet uplink carrying complete outer frames; this port translates:
 *
 * <ul>
 * <li><b>transmit</b>: each frame is a full outer frame from the {@code Encapsulator}
 *     (Ethernet + IPv4/IPv6 + UDP + VXLAN/Geneve + inner frame). {@link OuterFrameParser} reads the
 *     outer destination address and UDP port; the UDP payload goes out from the socket of that IP
 *     family, the whole burst in one {@code sendmmsg} ({@link DatagramBatch}), runs of equal-size
 *     datagrams to one peer as UDP GSO messages when {@link UdpTunnelPortConfig#gso()} and the kernel
 *     allow. Frames that cannot be sent as such a datagram (not UDP, inconsistent headers, another
 *     source address, a family without socket) are dropped and counted MALFORMED, outer packets above
 *     the MTU OVERSIZE.</li>
 * <li><b>receive</b>: {@code recvmmsg(MSG_DONTWAIT)} puts each datagram straight into a frame,
 *     behind room for the outer headers, which {@link OuterHeaderSynthesizer} then writes (sender as
 *     outer source, the socket's address as destination, the port MAC as Ethernet destination). The
 *     frame goes on to ethernet-input of the uplink {@code Interface} and overlay-decap, which check
 *     peer, destination, port and VNI as for any uplink. Truncated datagrams are dropped (OVERSIZE).</li>
 * </ul>
 *
 * <p>Queues: {@link UdpTunnelPortConfig#queues()} receive queues, each with its own socket per
 * address (SO_REUSEPORT), polled by one worker each. Transmit may be called by any number of
 * threads with any queue index (the graph uses one index on every port): each calling thread gets
 * its own {@link TransmitContext} on first use, and sends on the sockets of {@code queue % queues}.
 *
 * <p>Both directions are allocation free (after a thread's first transmit), lock free, never block
 * (non-blocking sockets) and never throw on the data path. Open with {@link #open} in the namespace
 * whose addresses are bound, or {@link #openIn} to create the sockets inside another namespace; they
 * stay in it. Close only after the workers stopped using the port.
 */
public final class UdpTunnelPort implements Port, CounterSource {
    private final int id;
    private final UdpTunnelPortConfig config;
    private final Arena arena;
    private final UdpTunnelSocket[] sockets4;
    private final UdpTunnelSocket[] sockets6;
    private final int[] fds4;
    private final int[] fds6;
    private final boolean[] sixFirst;
    private final SimplePortCounters[] receiveCounters;
    private final UdpTunnelCounters[] receiveDetail;
    private final int local4;
    private final long local6High;
    private final long local6Low;
    private final ThreadLocal<TransmitContext> transmitContext;
    private volatile TransmitContext[] transmitContexts = new TransmitContext[0];
    private final PortCounters counters;
    private final String[] detailNames;
    /** Per queue, its IPv4 and/or IPv6 socket: readable while datagrams wait. */
    private final int[][] readiness;
    private boolean closed;

    private UdpTunnelPort(int id, UdpTunnelPortConfig config) {
        this.id = id;
        this.config = config;
        int queues = config.queues();
        this.sockets4 = new UdpTunnelSocket[queues];
        this.sockets6 = new UdpTunnelSocket[queues];
        this.fds4 = new int[queues];
        this.fds6 = new int[queues];
        this.sixFirst = new boolean[queues];
        this.receiveCounters = new SimplePortCounters[queues];
        this.receiveDetail = new UdpTunnelCounters[queues];
        Arrays.fill(fds4, -1);
        Arrays.fill(fds6, -1);
        this.arena = Arena.ofShared();
        try {
            for (int q = 0; q < queues; q++) {
                receiveCounters[q] = new SimplePortCounters();
                receiveDetail[q] = new UdpTunnelCounters();
                if (config.local4() != null) {
                    sockets4[q] = UdpTunnelSocket.open(config, config.local4(), receiveCounters[q], receiveDetail[q],
                            arena);
                    fds4[q] = sockets4[q].fd();
                }
                if (config.local6() != null) {
                    sockets6[q] = UdpTunnelSocket.open(config, config.local6(), receiveCounters[q], receiveDetail[q],
                            arena);
                    fds6[q] = sockets6[q].fd();
                }
            }
        } catch (RuntimeException e) {
            closeSockets();
            arena.close();
            throw e;
        }
        long[] four = config.local4() == null ? new long[1] : words(config.local4());
        long[] six = config.local6() == null ? new long[2] : words(config.local6());
        this.local4 = (int) four[0];
        this.local6High = six[0];
        this.local6Low = six[1];
        this.transmitContext = ThreadLocal.withInitial(this::newTransmitContext);
        this.counters = new UdpTunnelPortCounters(receiveCounters, this::transmitContexts);
        this.detailNames = new String[UdpTunnelCounters.count()];
        this.readiness = new int[queues][];
        for (int q = 0; q < queues; q++) {
            readiness[q] = Arrays.stream(new int[] {fds4[q], fds6[q]}).filter(fd -> fd >= 0).toArray();
        }
        for (int i = 0; i < detailNames.length; i++) {
            detailNames[i] = "port." + config.name() + ".udp." + UdpTunnelCounters.name(i);
        }
    }

    private static long[] words(InetAddress a) {
        ByteBuffer b = ByteBuffer.wrap(a.getAddress());
        return b.remaining() == 4 ? new long[] {b.getInt()} : new long[] {b.getLong(), b.getLong()};
    }

    /** Opens the sockets in the calling thread's network namespace. */
    public static UdpTunnelPort open(int id, UdpTunnelPortConfig config) {
        return new UdpTunnelPort(id, config);
    }

    /**
     * Opens the sockets inside the network namespace {@code netnsFd} (e.g. a test "node"); they keep
     * working from any thread afterwards.
     */
    public static UdpTunnelPort openIn(int netnsFd, String netnsLabel, int id, UdpTunnelPortConfig config) {
        return Netns.call(netnsFd, netnsLabel, () -> open(id, config));
    }

    /** A calling thread's first transmit: its own parser, batches and counters (once per thread). */
    private synchronized TransmitContext newTransmitContext() {
        boolean gso4 = sockets4[0] != null && sockets4[0].gso();
        boolean gso6 = sockets6[0] != null && sockets6[0].gso();
        TransmitContext c = new TransmitContext(config, gso4, gso6,
                new OuterFrameParser(sockets4[0] != null, local4, sockets6[0] != null, local6High, local6Low), arena);
        TransmitContext[] grown = Arrays.copyOf(transmitContexts, transmitContexts.length + 1);
        grown[grown.length - 1] = c;
        transmitContexts = grown;
        return c;
    }

    private TransmitContext[] transmitContexts() {
        return transmitContexts;
    }

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        UdpTunnelSocket first = sockets4[queue];
        UdpTunnelSocket second = sockets6[queue];
        if (first == null || (second != null && sixFirst[queue])) {
            first = sockets6[queue];
            second = sockets4[queue];
        }
        // Alternate which family goes first, so a flood on one cannot starve the other.
        sixFirst[queue] = !sixFirst[queue];
        int received = first.receive(into, into.free(), cache, id);
        if (second != null && into.free() > 0) {
            received += second.receive(into, into.free(), cache, id);
        }
        return received;
    }

    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        int q = queue < fds4.length ? queue : queue % fds4.length;
        return transmitContext.get().transmit(from, cache, fds4[q], fds6[q]);
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
        return config.queues();
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

    /** Counters of one receive queue (written only by that queue's worker). */
    public PortCounters receiveCounters(int queue) {
        return receiveCounters[queue];
    }

    /** A snapshot of the port-specific counters summed over queues and transmitting threads. */
    public UdpTunnelCounters udpCounters() {
        List<UdpTunnelCounters> parts = new ArrayList<>(List.of(receiveDetail));
        for (TransmitContext t : transmitContexts) {
            parts.add(t.detail);
        }
        return UdpTunnelCounters.sum(parts);
    }

    /**
     * The port-specific counters as {@code port.NAME.udp.tx_not_udp} etc.; the common ones
     * ({@code rx_packets}, {@code drop.*}) come from {@link #counters()} like every port's.
     */
    @Override
    public void visit(CounterVisitor visitor) {
        UdpTunnelCounters sum = udpCounters();
        for (int i = 0; i < detailNames.length; i++) {
            visitor.counter(detailNames[i], sum.value(i));
        }
    }

    public UdpTunnelPortConfig config() {
        return config;
    }

    /** Whether transmit on the IPv6 (or IPv4) socket uses UDP GSO: asked for, and supported by the kernel. */
    public boolean gsoActive(boolean ip6) {
        UdpTunnelSocket s = ip6 ? sockets6[0] : sockets4[0];
        return s != null && s.gso();
    }

    /** Whether receive on the IPv6 (or IPv4) socket takes UDP GRO-coalesced datagrams and splits them. */
    public boolean groActive(boolean ip6) {
        UdpTunnelSocket s = ip6 ? sockets6[0] : sockets4[0];
        return s != null && s.gro();
    }

    /** The socket descriptor of a queue and family, -1 if none (for poll-based waiting in idle strategies). */
    public int fd(int queue, boolean ip6) {
        return ip6 ? fds6[queue] : fds4[queue];
    }

    /** A queue's sockets (IPv4, IPv6 or both): readable while datagrams wait. */
    @Override
    public int[] readinessFds(int queue) {
        return readiness[queue];
    }

    /** Closes the sockets; call after every worker stopped polling and transmitting on the port. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeSockets();
        arena.close();
    }

    private void closeSockets() {
        for (UdpTunnelSocket[] sockets : new UdpTunnelSocket[][] {sockets4, sockets6}) {
            for (UdpTunnelSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
