package io.podswitch.graph;

import io.podswitch.overlay.Decapsulator;
import io.podswitch.overlay.Encapsulator;
import io.podswitch.overlay.OverlayCounters;
import io.podswitch.overlay.PeerTable;
import io.podswitch.overlay.TunnelMode;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.podswitch.graph.GoldenHarness.POD_MAC;
import static io.podswitch.graph.GoldenHarness.POD_PORT;
import static io.podswitch.graph.GoldenHarness.POD_PORT_MAC;
import static io.podswitch.graph.GoldenHarness.ROUTER_MAC;
import static io.podswitch.graph.GoldenHarness.UPLINK;
import static io.podswitch.graph.GoldenHarness.UPLINK_MAC;
import static io.podswitch.graph.GoldenHarness.UPLINK_MTU;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The overlay wired into the graph (GoldenHarness with {@code overlay}): the uplink 192.168.1.1 /
 * fd01::1 tunnels to a remote node 192.168.1.200 (peer 0, outer IPv4) or fd01::200 (peer 1, outer
 * IPv6) whose underlay MAC is ROUTER_MAC. Frames the graph sends are decoded with a Decapsulator
 * holding the remote node's view of the tunnel; frames it receives are built with an Encapsulator
 * holding that view.
 */
class OverlayGoldenTest {
    static final int VNI = 0x00_1234;
    static final int REMOTE4 = ip4("192.168.1.200");
    static final String REMOTE6 = "fd01::200";
    static final long REMOTE_POD_MAC = TestFrames.mac("02:dd:00:00:00:07");

    @TempDir
    Path dir;

    static Stream<Arguments> combinations() {
        List<Arguments> all = new ArrayList<>();
        for (TunnelMode mode : TunnelMode.values()) {
            for (boolean outer6 : new boolean[] {false, true}) {
                for (boolean inner6 : new boolean[] {false, true}) {
                    all.add(Arguments.of(mode, outer6, inner6));
                }
            }
        }
        return all.stream();
    }

    /** Our view: peer 0 over IPv4, peer 1 over IPv6, both the remote node. */
    static PeerTable ours(TunnelMode mode) {
        PeerTable t = new PeerTable(4);
        t.put(TunnelPeer.ip4(0, "node-b", mode, VNI, mode.defaultPort(), UPLINK_MAC, ROUTER_MAC, ip4("192.168.1.1"),
                REMOTE4));
        t.put(TunnelPeer.ip6(1, "node-b6", mode, VNI, mode.defaultPort(), UPLINK_MAC, ROUTER_MAC,
                Ip6.parse("fd01::1"), Ip6.parse(REMOTE6)));
        return t;
    }

    /** The remote node's view of the same tunnels (addresses and MACs swapped), with the given VNI. */
    static PeerTable theirs(TunnelMode mode, int vni) {
        PeerTable t = new PeerTable(4);
        t.put(TunnelPeer.ip4(0, "node-a", mode, vni, mode.defaultPort(), ROUTER_MAC, UPLINK_MAC, REMOTE4,
                ip4("192.168.1.1")));
        t.put(TunnelPeer.ip6(1, "node-a6", mode, vni, mode.defaultPort(), ROUTER_MAC, UPLINK_MAC,
                Ip6.parse(REMOTE6), Ip6.parse("fd01::1")));
        return t;
    }

    static byte[] decapsulate(PeerTable table, byte[] outer, int expectedPeer) {
        try (FrameSlab slab = new FrameSlab(2)) {
            load(slab, outer);
            assertEquals(expectedPeer, new Decapsulator(slab, table, new OverlayCounters(table)).decapsulate(0));
            return read(slab);
        }
    }

    static byte[] encapsulate(PeerTable table, byte[] inner, int peer) {
        try (FrameSlab slab = new FrameSlab(2)) {
            load(slab, inner);
            if (!new Encapsulator(slab, table, new OverlayCounters(table)).encapsulate(0, peer)) {
                throw new AssertionError("test encapsulation refused");
            }
            return read(slab);
        }
    }

    static void load(FrameSlab slab, byte[] data) {
        slab.reset(0);
        MemorySegment.copy(data, 0, slab.memory(), ValueLayout.JAVA_BYTE, slab.dataStart(0), data.length);
        slab.setLength(0, data.length);
    }

    static byte[] read(FrameSlab slab) {
        byte[] b = new byte[slab.length(0)];
        MemorySegment.copy(slab.memory(), ValueLayout.JAVA_BYTE, slab.dataStart(0), b, 0, b.length);
        return b;
    }

    static Map<String, Long> counters(L3Graph graph) {
        Map<String, Long> all = new HashMap<>();
        graph.visit(all::put);
        return all;
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static long mac(byte[] b, int off) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = m << 8 | (b[off + i] & 0xff);
        }
        return m;
    }

    /** An IP packet between a local pod and a remote pod (peer 0: 10.1/16, fd10::/64; peer 1: 10.2/16, fd20::/64). */
    static byte[] ipPacket(boolean inner6, boolean towardsRemote, int peer, int ttl, int payloadLength) {
        byte[] payload = udp(40000, 53, bytes(payloadLength, 7));
        if (inner6) {
            byte[] remote = ip6(peer == 0 ? "fd10::7" : "fd20::7");
            byte[] local = ip6("fd00::10");
            return towardsRemote ? ip6Packet(local, remote, ttl, 17, payload) : ip6Packet(remote, local, ttl, 17, payload);
        }
        int remote = ip4(peer == 0 ? "10.1.0.7" : "10.2.0.7");
        int local = ip4("10.0.0.10");
        return towardsRemote ? ip4Packet(local, remote, ttl, 17, 0x4000, 5, payload)
                : ip4Packet(remote, local, ttl, 17, 0x4000, 5, payload);
    }

    @ParameterizedTest(name = "{0} outer6={1} inner6={2}")
    @MethodSource("combinations")
    void podToRemotePodLeavesTheUplinkEncapsulatedWithTtlDecrementedAndMacsRewritten(TunnelMode mode, boolean outer6,
                                                                                     boolean inner6) throws Exception {
        int peer = outer6 ? 1 : 0;
        int type = inner6 ? 0x86dd : 0x0800;
        GoldenHarness h = new GoldenHarness(dir).overlay(ours(mode))
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, type, ipPacket(inner6, true, peer, 64, 100)))
                .run();
        assertEquals(0, h.output(POD_PORT).size());
        assertEquals(1, h.output(UPLINK).size());
        byte[] outer = h.output(UPLINK).get(0);
        assertEquals(ROUTER_MAC, mac(outer, 0), "outer destination: the peer's underlay MAC");
        assertEquals(UPLINK_MAC, mac(outer, 6));
        assertEquals(outer6 ? 0x86dd : 0x0800, u16(outer, 12));
        int udp = 14 + (outer6 ? 40 : 20);
        assertEquals(mode.defaultPort(), u16(outer, udp + 2));

        byte[] inner = decapsulate(theirs(mode, VNI), outer, peer);
        // Inner: source = our uplink MAC, destination = the peer's MAC, TTL / hop limit 63.
        assertArrayEquals(eth(ROUTER_MAC, UPLINK_MAC, type, ipPacket(inner6, true, peer, 63, 100)), inner);
        OverlayCounters c = h.graph.overlayCounters();
        assertEquals(1, c.encapPackets(peer));
        assertEquals(inner.length, c.encapBytes(peer));
        assertEquals(1L, counters(h.graph).get("overlay.peer." + (outer6 ? "node-b6" : "node-b") + ".encap_packets"));
    }

    @ParameterizedTest(name = "{0} outer6={1} inner6={2}")
    @MethodSource("combinations")
    void tunnelFrameForALocalPodIsDecapsulatedAndRouted(TunnelMode mode, boolean outer6, boolean inner6)
            throws Exception {
        int peer = outer6 ? 1 : 0;
        int type = inner6 ? 0x86dd : 0x0800;
        // The remote switch's inner destination MAC need not be ours: overlay-decap sets it.
        byte[] inner = eth(REMOTE_POD_MAC, REMOTE_POD_MAC + 1, type, ipPacket(inner6, false, peer, 64, 80));
        byte[] outer = encapsulate(theirs(mode, VNI), inner, peer);
        GoldenHarness h = new GoldenHarness(dir).overlay(ours(mode)).input(UPLINK, 1, outer).run();
        assertEquals(0, h.output(UPLINK).size());
        assertEquals(1, h.output(POD_PORT).size());
        assertArrayEquals(eth(POD_MAC, POD_PORT_MAC, type, ipPacket(inner6, false, peer, 63, 80)),
                h.output(POD_PORT).get(0));
        assertEquals(1, h.graph.overlayCounters().decapPackets(peer));
        assertEquals(1, h.counter("overlay-decap.packets"));
        assertEquals(0, h.counter("overlay-decap.dropped"));
    }

    @Test
    void wrongVniAndUnknownPeerAreDroppedAndCounted() throws Exception {
        byte[] inner = eth(UPLINK_MAC, REMOTE_POD_MAC, 0x0800, ipPacket(false, false, 0, 64, 20));
        byte[] wrongVni = encapsulate(theirs(TunnelMode.VXLAN, VNI + 1), inner, 0);
        PeerTable stranger = new PeerTable(1);
        stranger.put(TunnelPeer.ip4(0, "stranger", TunnelMode.VXLAN, VNI, 4789, ROUTER_MAC, UPLINK_MAC,
                ip4("192.168.1.77"), ip4("192.168.1.1")));
        byte[] unknownPeer = encapsulate(stranger, inner, 0);
        GoldenHarness h = new GoldenHarness(dir).overlay(ours(TunnelMode.VXLAN))
                .input(UPLINK, 1, wrongVni).input(UPLINK, 2, unknownPeer).run();
        assertEquals(0, h.output(POD_PORT).size());
        assertEquals(0, h.output(UPLINK).size());
        assertEquals(2, h.counter("overlay-decap.dropped"));
        Map<String, Long> all = counters(h.graph);
        assertEquals(1L, all.get("overlay.decap.drop.bad_vni"));
        assertEquals(1L, all.get("overlay.decap.drop.unknown_peer"));
        assertEquals(0, h.graph.overlayCounters().decapPackets(0));
    }

    @Test
    void nonTunnelTrafficOnTheUplinkIsHandledAsBefore() throws Exception {
        // UDP to the uplink's own address but not to a tunnel port: ip4-local, as without an overlay.
        byte[] dns = eth(UPLINK_MAC, ROUTER_MAC, 0x0800,
                ip4Packet(REMOTE4, ip4("192.168.1.1"), 64, 17, 0, 1, udp(5000, 53, bytes(10, 1))));
        // VXLAN-looking UDP to an address that is not ours is routed, not decapsulated.
        byte[] transit = eth(UPLINK_MAC, ROUTER_MAC, 0x0800,
                ip4Packet(REMOTE4, ip4("10.0.0.10"), 64, 17, 0, 2, udp(5000, 4789, bytes(30, 2))));
        GoldenHarness h = new GoldenHarness(dir).overlay(ours(TunnelMode.VXLAN))
                .input(UPLINK, 1, dns).input(UPLINK, 2, transit).run();
        assertEquals(0, h.counter("overlay-decap.packets"));
        assertEquals(1, h.counter("ip4-local.unsupported_protocol"));
        assertEquals(1, h.output(POD_PORT).size());
    }

    @Test
    void oversizeInnerPacketGetsFragmentationNeededWithTheTunnelMtu() throws Exception {
        int mtu4 = UPLINK_MTU - 50;
        int mtu6 = UPLINK_MTU - 70;
        // IPv4 + UDP headers = 28 bytes; a packet of exactly the tunnel MTU passes, one byte more does not.
        byte[] fits = ipPacket(false, true, 0, 64, mtu4 - 28);
        byte[] tooBig = ipPacket(false, true, 0, 64, mtu4 - 28 + 1);
        byte[] tooBig6 = ipPacket(true, true, 1, 64, mtu6 - 48 + 1);
        GoldenHarness h = new GoldenHarness(dir).overlay(ours(TunnelMode.GENEVE))
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, 0x0800, fits))
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, 0x0800, tooBig))
                .input(POD_PORT, 3, eth(POD_PORT_MAC, POD_MAC, 0x86dd, tooBig6))
                .run();
        assertEquals(1, h.output(UPLINK).size());
        // outer 50 + inner Ethernet 14 + inner IP packet: the outer IP packet is exactly the uplink MTU.
        assertEquals(50 + 14 + mtu4, h.output(UPLINK).get(0).length);
        List<byte[]> errors = h.output(POD_PORT);
        assertEquals(2, errors.size());
        byte[] frag = errors.get(0);
        assertEquals(0x0800, u16(frag, 12));
        assertEquals(3, frag[34] & 0xff, "destination unreachable");
        assertEquals(4, frag[35] & 0xff, "fragmentation needed");
        assertEquals(mtu4, u16(frag, 34 + 6), "next-hop MTU = the tunnel MTU");
        GoldenPacketTest.assertIp4ChecksumValid(frag);
        byte[] ptb = errors.get(1);
        assertEquals(0x86dd, u16(ptb, 12));
        assertEquals(2, ptb[54] & 0xff, "packet too big");
        assertEquals(mtu6, (u16(ptb, 54 + 4) << 16) | u16(ptb, 54 + 6));
        assertEquals(1, h.counter("ip4-rewrite.mtu_exceeded"));
        assertEquals(1, h.counter("ip6-rewrite.mtu_exceeded"));
        assertNotEquals(0, h.graph.overlayCounters().encapPackets(0));
    }

    @Test
    void ttlOneTowardsARemotePodIsTimeExceededNotEncapsulated() throws Exception {
        GoldenHarness h = new GoldenHarness(dir).overlay(ours(TunnelMode.VXLAN))
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, 0x0800, ipPacket(false, true, 0, 1, 20)))
                .run();
        assertEquals(0, h.output(UPLINK).size());
        assertEquals(1, h.output(POD_PORT).size());
        assertEquals(11, h.output(POD_PORT).get(0)[34] & 0xff, "time exceeded");
        assertEquals(0, h.graph.overlayCounters().encapPackets(0));
    }
}
