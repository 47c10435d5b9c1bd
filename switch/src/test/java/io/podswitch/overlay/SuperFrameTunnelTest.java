package io.podswitch.overlay;

import io.podswitch.packet.Checksum;
import io.podswitch.packet.FrameSlab;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.overlay.OverlayFixture.LOCAL6;
import static io.podswitch.overlay.OverlayFixture.REMOTE6;
import static io.podswitch.overlay.OverlayFixture.inner;
import static io.podswitch.overlay.OverlayFixture.load;
import static io.podswitch.overlay.OverlayFixture.mirror;
import static io.podswitch.overlay.OverlayFixture.peer;
import static io.podswitch.overlay.OverlayFixture.read;
import static io.podswitch.overlay.OverlayFixture.table;
import static io.podswitch.overlay.OverlayFixture.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP super-frames wrapped whole for an uplink that segments inside the tunnel (the {@code tap}
 * attachment) and unwrapped whole on the other side: outer lengths over the whole super-frame, the
 * tunnel GSO bit of the outer family, the inner partial checksum and segmentation kept and moved with
 * the headers, the IPv6 outer UDP checksum seeded for the segmenter; and what is refused.
 */
class SuperFrameTunnelTest {
    private static final int MSS = 1400;
    /** A super-frame's worth of payload behind the inner headers. */
    private static final int PAYLOAD = 20_000;

    private final FrameSlab slab = FrameSlab.withLargeFrames(8, 2);

    /** Inner IPv4 headers (a UDP pod frame stands in for TCP: neither side reads the inner transport). */
    private int superFrame(int gsoType) {
        byte[] head = inner(false, 40000, 5201);
        byte[] frame = new byte[head.length + PAYLOAD];
        System.arraycopy(head, 0, frame, 0, head.length);
        int f = slab.firstLargeFrame();
        load(slab, f, frame);
        slab.setChecksumOffload(f, FrameSlab.NEEDS_CSUM, 34, 16);
        slab.setGso(f, gsoType, MSS, 54);
        return f;
    }

    @ParameterizedTest(name = "outer IPv6 {0}")
    @ValueSource(booleans = {false, true})
    void aSuperFrameIsWrappedAndUnwrappedWhole(boolean outer6) {
        for (TunnelMode mode : TunnelMode.values()) {
            TunnelPeer p = peer(mode, outer6);
            OverlayCounters counters = new OverlayCounters(table(p));
            Encapsulator encap = new Encapsulator(slab, table(p), counters);
            int f = superFrame(FrameSlab.GSO_TCPV4);
            byte[] innerBytes = read(slab, f);
            assertTrue(encap.encapsulateSuperFrame(f, p.id()), mode + " refused");
            int outerLength = p.headerLength();
            byte[] outer = read(slab, f);
            assertEquals(innerBytes.length + outerLength, outer.length);
            int udp = 14 + (outer6 ? 40 : 20);
            int udpLength = innerBytes.length + 16;
            assertEquals(udpLength, u16(outer, udp + 4), "UDP length covers the super-frame");
            if (outer6) {
                assertEquals(udpLength, u16(outer, 18), "IPv6 payload length");
                long pseudo = sum(ip6(LOCAL6)) + sum(ip6(REMOTE6)) + 17 + udpLength;
                assertEquals(Checksum.fold(pseudo), u16(outer, udp + 6), "UDP checksum: the pseudo-header seed");
                assertEquals(FrameSlab.GSO_TCPV4 | FrameSlab.GSO_UDP_TUNNEL_IPV6, slab.gsoType(f));
                assertEquals(FrameSlab.NEEDS_CSUM | FrameSlab.UDP_TUNNEL_CSUM, slab.offloadFlags(f));
            } else {
                assertEquals(udpLength + 20, u16(outer, 16), "IPv4 total length");
                assertEquals(0, Checksum.compute(slab.memory(), slab.dataStart(f) + 14, 20), "IPv4 header checksum");
                assertEquals(0, u16(outer, udp + 6), "UDP checksum 0 over IPv4");
                assertEquals(FrameSlab.GSO_TCPV4 | FrameSlab.GSO_UDP_TUNNEL_IPV4, slab.gsoType(f));
                assertEquals(FrameSlab.NEEDS_CSUM, slab.offloadFlags(f));
            }
            assertEquals(34 + outerLength, slab.csumStart(f), "csum_start on the inner TCP header");
            assertEquals(54 + outerLength, slab.gsoHeaderLength(f));
            assertEquals(MSS, slab.gsoSize(f));
            assertEquals(1, counters.encapPackets(p.id()));

            TunnelPeer back = mirror(p);
            OverlayCounters remote = new OverlayCounters(table(back));
            Decapsulator decap = new Decapsulator(slab, table(back), remote);
            assertEquals(back.id(), decap.decapsulate(f), mode + " outer6 " + outer6);
            assertArrayEquals(innerBytes, read(slab, f));
            assertEquals(FrameSlab.GSO_TCPV4, slab.gsoType(f), "a normal GSO type for the pod's TAP");
            assertEquals(FrameSlab.NEEDS_CSUM, slab.offloadFlags(f));
            assertEquals(34, slab.csumStart(f));
            assertEquals(16, slab.csumOffset(f));
            assertEquals(54, slab.gsoHeaderLength(f));
            assertEquals(MSS, slab.gsoSize(f));
        }
    }

    @Test
    void whatCannotGoWholeIsRefusedAndCounted() {
        TunnelPeer p = peer(TunnelMode.VXLAN, false);
        OverlayCounters counters = new OverlayCounters(table(p));
        Encapsulator encap = new Encapsulator(slab, table(p), counters);
        int f = superFrame(FrameSlab.GSO_TCPV4);
        slab.clearOffload(f);
        assertFalse(encap.encapsulateSuperFrame(f, p.id()), "not a super-frame");
        f = superFrame(FrameSlab.GSO_TCPV4);
        slab.setChecksumOffload(f, 0, 0, 0);
        assertFalse(encap.encapsulateSuperFrame(f, p.id()), "no partial checksum (the kernel requires one)");
        f = superFrame(FrameSlab.GSO_UDP);
        assertFalse(encap.encapsulateSuperFrame(f, p.id()), "UDP fragmentation offload");
        f = superFrame(FrameSlab.GSO_TCPV4);
        slab.setLength(f, 65_535 - 36 + 14 + 1);
        assertFalse(encap.encapsulateSuperFrame(f, p.id()), "the outer packet would exceed 64 KiB");
        assertEquals(4, counters.encapDrops(EncapDrop.OFFLOAD_PENDING));
        assertEquals(slab.headroom(), slab.dataOffset(f), "refused frames are unchanged");
        assertFalse(encap.encapsulateSuperFrame(f, 7));
        assertEquals(1, counters.encapDrops(EncapDrop.UNKNOWN_PEER));
    }

    @Test
    void aReceivedSuperFrameThatIsNoTunnelledTcpIsDropped() {
        TunnelPeer p = peer(TunnelMode.VXLAN, false);
        TunnelPeer back = mirror(p);
        Encapsulator encap = new Encapsulator(slab, table(p), new OverlayCounters(table(p)));
        OverlayCounters remote = new OverlayCounters(table(back));
        Decapsulator decap = new Decapsulator(slab, table(back), remote);

        int f = superFrame(FrameSlab.GSO_TCPV4);
        assertTrue(encap.encapsulateSuperFrame(f, p.id()));
        slab.setChecksumOffload(f, FrameSlab.NEEDS_CSUM, 34, 6); // the partial checksum on the outer UDP header
        assertEquals(Decapsulator.DROPPED, decap.decapsulate(f));

        f = superFrame(FrameSlab.GSO_TCPV4);
        assertTrue(encap.encapsulateSuperFrame(f, p.id()));
        slab.setGso(f, FrameSlab.GSO_TCPV4, MSS, 104); // super-frame without the tunnel bit: the outer packet's
        assertEquals(Decapsulator.DROPPED, decap.decapsulate(f));
        assertEquals(2, remote.decapDrops(DecapDrop.BAD_OFFLOAD));
        assertEquals(0, remote.decapPackets(back.id()));
    }

    private static long sum(byte[] address) {
        long s = 0;
        for (int i = 0; i < address.length; i += 2) {
            s += ((address[i] & 0xff) << 8) | (address[i + 1] & 0xff);
        }
        return s;
    }
}
