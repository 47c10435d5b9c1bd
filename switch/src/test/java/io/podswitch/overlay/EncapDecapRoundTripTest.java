package io.podswitch.overlay;

import io.podswitch.graph.TestFrames;
import io.podswitch.packet.FrameSlab;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static io.podswitch.overlay.OverlayFixture.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encapsulation checked byte by byte against independently built frames, and decapsulation back. */
class EncapDecapRoundTripTest {
    static Stream<Arguments> combinations() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (TunnelMode mode : TunnelMode.values()) {
            for (boolean outer6 : new boolean[] {false, true}) {
                for (boolean inner6 : new boolean[] {false, true}) {
                    b.add(Arguments.of(mode, outer6, inner6));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} outer6={1} inner6={2}")
    @MethodSource("combinations")
    void encapsulatesExactlyAndDecapsulatesBackToTheSameBytes(TunnelMode mode, boolean outer6, boolean inner6) {
        try (FrameSlab slab = new FrameSlab(8)) {
            TunnelPeer peer = peer(mode, outer6);
            PeerTable table = table(peer);
            OverlayCounters counters = new OverlayCounters(table);
            Encapsulator encap = new Encapsulator(slab, table, counters);
            PeerTable remoteTable = table(mirror(peer));
            OverlayCounters remoteCounters = new OverlayCounters(remoteTable);
            Decapsulator decap = new Decapsulator(slab, remoteTable, remoteCounters);
            byte[] inner = inner(inner6, 40000, 53);
            load(slab, 3, inner);

            assertTrue(encap.encapsulate(3, peer.id()));
            byte[] outer = read(slab, 3);
            int outerLength = outer6 ? 70 : 50;
            assertEquals(outerLength, peer.headerLength());
            assertEquals(inner.length + outerLength, outer.length);
            assertEquals(slab.headroom() - outerLength, slab.dataOffset(3));
            int udp = 14 + (outer6 ? 40 : 20);
            int sourcePort = u16(outer, udp);
            assertTrue(sourcePort >= 49152 && sourcePort <= 65535, "source port " + sourcePort);
            assertArrayEquals(expectedOuter(mode, outer6, sourcePort, inner), outer);
            // Field by field, for readable failures and to pin what the golden frame encodes.
            assertEquals(mode.defaultPort(), u16(outer, udp + 2));
            assertEquals(inner.length + 16, u16(outer, udp + 4));
            if (outer6) {
                assertEquals(inner.length + 16, u16(outer, 14 + 4));
                long pseudo = TestFrames.pseudo6(TestFrames.ip6(LOCAL6), TestFrames.ip6(REMOTE6), inner.length + 16, 17);
                assertEquals(0, TestFrames.checksum(outer, udp, inner.length + 16, pseudo), "IPv6 UDP checksum");
                assertNotEquals(0, u16(outer, udp + 6));
            } else {
                assertEquals(inner.length + 36, u16(outer, 14 + 2));
                assertEquals(0, TestFrames.checksum(outer, 14, 20, 0), "IPv4 header checksum");
                assertEquals(0, u16(outer, udp + 6), "UDP checksum 0 over IPv4");
                assertEquals(0x4000, u16(outer, 14 + 6), "DF set");
            }
            assertEquals(VNI, (u16(outer, udp + 12) << 8) | (outer[udp + 14] & 0xff));

            assertEquals(peer.id(), decap.decapsulate(3));
            assertArrayEquals(inner, read(slab, 3));
            assertEquals(slab.headroom(), slab.dataOffset(3));
            assertEquals(1, counters.encapPackets(peer.id()));
            assertEquals(inner.length, counters.encapBytes(peer.id()));
            assertEquals(0, counters.decapPackets(peer.id()));
            assertEquals(1, remoteCounters.decapPackets(peer.id()));
            assertEquals(inner.length, remoteCounters.decapBytes(peer.id()));
        }
    }

    @Test
    void sourcePortIsStablePerFlowAndDiffersAcrossFlows() {
        try (FrameSlab slab = new FrameSlab(4)) {
            TunnelPeer peer = peer(TunnelMode.VXLAN, false);
            PeerTable table = table(peer);
            Encapsulator encap = new Encapsulator(slab, table, new OverlayCounters(table));
            java.util.Set<Integer> ports = new java.util.HashSet<>();
            for (int flow = 0; flow < 64; flow++) {
                int first = 0;
                for (int repeat = 0; repeat < 2; repeat++) {
                    load(slab, 0, inner(flow % 2 == 0, 30000 + flow, 80));
                    assertTrue(encap.encapsulate(0, peer.id()));
                    int port = u16(read(slab, 0), 34);
                    if (repeat == 0) {
                        first = port;
                    } else {
                        assertEquals(first, port, "flow " + flow);
                    }
                }
                ports.add(first);
            }
            assertTrue(ports.size() > 50, "64 flows mapped to only " + ports.size() + " source ports");
        }
    }

    @Test
    void refusesWithoutHeadroomOrPeerOrWithPendingOffloadAndLeavesTheFrameAlone() {
        try (FrameSlab slab = new FrameSlab(4, 2048, 64)) {
            TunnelPeer v6 = peer(TunnelMode.GENEVE, true);
            PeerTable table = table(v6);
            OverlayCounters counters = new OverlayCounters(table);
            Encapsulator encap = new Encapsulator(slab, table, counters);
            byte[] inner = inner(false, 1, 2);
            load(slab, 0, inner);
            assertFalse(encap.encapsulate(0, v6.id()), "70 bytes of headers in 64 bytes of headroom");
            assertFalse(encap.encapsulate(0, 5));
            slab.setChecksumOffload(0, FrameSlab.NEEDS_CSUM, 34, 6);
            assertFalse(encap.encapsulate(0, v6.id()));
            slab.clearOffload(0);
            slab.setLength(0, 13);
            assertFalse(encap.encapsulate(0, v6.id()));
            slab.setLength(0, inner.length);
            assertArrayEquals(inner, read(slab, 0));
            assertEquals(64, slab.dataOffset(0));
            assertEquals(1, counters.encapDrops(EncapDrop.NO_HEADROOM));
            assertEquals(1, counters.encapDrops(EncapDrop.UNKNOWN_PEER));
            assertEquals(1, counters.encapDrops(EncapDrop.OFFLOAD_PENDING));
            assertEquals(1, counters.encapDrops(EncapDrop.TOO_SHORT));
            assertEquals(0, counters.encapPackets(v6.id()));
        }
    }

    @Test
    void countersHaveStableNames() {
        try (FrameSlab slab = new FrameSlab(4)) {
            TunnelPeer peer = peer(TunnelMode.VXLAN, false);
            PeerTable table = table(peer);
            OverlayCounters counters = new OverlayCounters(table);
            load(slab, 0, inner(false, 1, 2));
            new Encapsulator(slab, table, counters).encapsulate(0, 0);
            Map<String, Long> seen = new HashMap<>();
            counters.visit(seen::put);
            assertEquals(1L, seen.get("overlay.peer.node-b.encap_packets"));
            assertEquals(0L, seen.get("overlay.peer.node-b.decap_bytes"));
            assertEquals(0L, seen.get("overlay.decap.drop.bad_vni"));
            assertEquals(0L, seen.get("overlay.encap.drop.no_headroom"));
            assertEquals(4 + EncapDrop.COUNT + DecapDrop.COUNT, seen.size());
        }
    }
}
