package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.overlay.PeerTable;
import io.podswitch.overlay.TunnelMode;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortOffloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.checksum;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unfinished offloads in front of an ENCAP adjacency: a GSO super-frame from a pod is cut into
 * segments that are each encapsulated, and a partial checksum is completed before encapsulation
 * (the Encapsulator itself refuses both).
 */
class OverlayGsoTest {
    private static final long POD_MAC = 0x02_00_00_00_00_10L;
    private static final long GW_MAC = 0x02_00_00_00_00_01L;
    private static final long UPLINK_MAC = 0x02_00_00_00_00_02L;
    private static final long REMOTE_MAC = 0x02_00_00_00_00_20L;
    private static final int TUNNEL_MTU = 1500 - 50;
    private static final int MSS = 1400;

    private final FrameSlab slab = FrameSlab.withLargeFrames(1024, 4);
    private final FrameCache cache = new FrameCache(new FramePool(slab), 64);
    private final GsoOutputTest.RecordingPort pod = new GsoOutputTest.RecordingPort(0, PortOffloads.ALL);
    private final GsoOutputTest.RecordingPort uplink = new GsoOutputTest.RecordingPort(1, PortOffloads.ALL);
    private L3Graph graph;

    @AfterEach
    void close() {
        slab.close();
    }

    private static PeerTable peers(boolean remoteView) {
        PeerTable t = new PeerTable(2);
        t.put(remoteView
                ? TunnelPeer.ip4(0, "node-a", TunnelMode.VXLAN, 7, 4789, REMOTE_MAC, UPLINK_MAC, ip4("192.168.1.2"),
                ip4("192.168.1.1"))
                : TunnelPeer.ip4(0, "node-b", TunnelMode.VXLAN, 7, 4789, UPLINK_MAC, REMOTE_MAC, ip4("192.168.1.1"),
                ip4("192.168.1.2")));
        return t;
    }

    private void build() {
        build(uplink);
    }

    private void build(GsoOutputTest.RecordingPort uplinkPort) {
        Interface a = Interface.builder(pod, GW_MAC).ip4("10.0.0.1").build();
        Interface b = Interface.builder(uplinkPort, UPLINK_MAC).ip4("192.168.1.1").uplink(true).build();
        AdjacencyTable adj = new AdjacencyTable(8);
        int encap = adj.addEncap(1, 0, TUNNEL_MTU);
        int toPod = adj.addRewrite(0, POD_MAC, 1500);
        NaiveLpm4 fib4 = new NaiveLpm4().add("10.1.0.0/16", encap).add("10.0.0.2/32", toPod);
        graph = new L3Graph(slab, new InterfaceTable(a, b), fib4, new NaiveLpm6(), adj, new NeighborTable(16), 0,
                L3GraphConfig.DEFAULTS, peers(false));
        graph.tick(System.nanoTime());
    }

    private byte[] tcpFrame(int payload) {
        int src = ip4("10.0.0.2");
        int dst = ip4("10.1.0.2");
        ByteBuffer b = ByteBuffer.allocate(20 + payload);
        b.putShort((short) 40000).putShort((short) 5201).putInt(1000).putInt(7).put((byte) 0x50)
                .put((byte) 0x18).putShort((short) 500).putShort((short) 0).putShort((short) 0);
        b.put(bytes(payload, 9));
        byte[] tcp = b.array();
        // A partial checksum: the field holds the folded pseudo-header sum.
        long s = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + tcp.length;
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        tcp[16] = (byte) (s >>> 8);
        tcp[17] = (byte) s;
        return eth(GW_MAC, POD_MAC, 0x0800, ip4Packet(src, dst, 64, 6, 0x4000, 100, tcp));
    }

    private void inject(byte[] frame, boolean gso) {
        int f = frame.length > slab.frameSize() - slab.headroom() ? cache.allocateLarge() : cache.allocate();
        MemorySegment.copy(frame, 0, slab.memory(), ValueLayout.JAVA_BYTE, slab.dataStart(f), frame.length);
        slab.setLength(f, frame.length);
        slab.setInPort(f, 0);
        slab.setChecksumOffload(f, FrameSlab.NEEDS_CSUM, 34, 16);
        if (gso) {
            slab.setGso(f, FrameSlab.GSO_TCPV4, MSS, 54);
        }
        PacketVector v = new PacketVector(4);
        v.add(f);
        graph.process(v, cache);
        graph.flush(cache);
    }

    private static byte[] inner(byte[] outer) {
        return OverlayGoldenTest.decapsulate(peers(true), outer, 0);
    }

    private static boolean tcpValid(byte[] b) {
        int tcpLength = b.length - 34;
        long s = 6 + tcpLength;
        for (int i = 0; i < tcpLength; i += 2) {
            s += (b[34 + i] & 0xff) << 8 | (i + 1 < tcpLength ? b[34 + i + 1] & 0xff : 0);
        }
        return checksum(b, 26, 8, s) == 0;
    }

    @Test
    void aGsoSuperFrameIsSegmentedAndEachSegmentEncapsulated() {
        build();
        inject(tcpFrame(60_000), true);
        assertEquals((60_000 + MSS - 1) / MSS, uplink.frames.size());
        long seq = 1000;
        for (int i = 0; i < uplink.frames.size(); i++) {
            byte[] outer = uplink.frames.get(i);
            assertTrue(outer.length <= 14 + 1500, "segment " + i + " is " + outer.length);
            assertEquals(0, uplink.gsoTypes.get(i) | uplink.offloadFlags.get(i));
            byte[] b = inner(outer);
            assertEquals(63, b[22] & 0xff);
            assertEquals(0, checksum(b, 14, 20, 0), "inner IPv4 header checksum of segment " + i);
            assertTrue(tcpValid(b), "inner TCP checksum of segment " + i);
            assertEquals(seq, ByteBuffer.wrap(b, 38, 4).getInt() & 0xffffffffL);
            seq += b.length - 54;
        }
        assertEquals(1000 + 60_000, seq);
        assertEquals(1, graph.counter("overlay-encap.software_gso"));
        assertEquals(uplink.frames.size(), graph.overlayCounters().encapPackets(0));
    }

    /** An uplink that segments inside the tunnel (the tap attachment) gets the super-frame whole. */
    @Test
    void aSuperFrameGoesWholeToAnUplinkThatSegmentsTunnels() {
        GsoOutputTest.RecordingPort tunnelUplink = new GsoOutputTest.RecordingPort(1,
                PortOffloads.ALL | PortOffloads.UDP_TUNNEL);
        build(tunnelUplink);
        byte[] sent = tcpFrame(60_000);
        inject(sent, true);
        assertEquals(1, tunnelUplink.frames.size());
        byte[] outer = tunnelUplink.frames.get(0);
        assertEquals(sent.length + 50, outer.length);
        assertEquals(FrameSlab.GSO_TCPV4 | FrameSlab.GSO_UDP_TUNNEL_IPV4, (int) tunnelUplink.gsoTypes.get(0));
        assertEquals(FrameSlab.NEEDS_CSUM, (int) tunnelUplink.offloadFlags.get(0));
        assertEquals(63, outer[50 + 22] & 0xff, "inner TTL decremented");
        assertEquals(1, graph.counter("overlay-encap.tunnel_gso"));
        assertEquals(0, graph.counter("overlay-encap.software_gso"));
        assertEquals(1, graph.overlayCounters().encapPackets(0));
    }

    @Test
    void fragmentationNeededForASuperFrameLeavesWithoutItsOffloadState() {
        build();
        int bigMss = TUNNEL_MTU; // IP 20 + TCP 20 + 1450 > 1450: the error goes back to the pod
        int f = cache.allocateLarge();
        byte[] frame = tcpFrame(bigMss * 3);
        MemorySegment.copy(frame, 0, slab.memory(), ValueLayout.JAVA_BYTE, slab.dataStart(f), frame.length);
        slab.setLength(f, frame.length);
        slab.setInPort(f, 0);
        slab.setChecksumOffload(f, FrameSlab.NEEDS_CSUM, 34, 16);
        slab.setGso(f, FrameSlab.GSO_TCPV4, bigMss, 54);
        PacketVector v = new PacketVector(4);
        v.add(f);
        graph.process(v, cache);
        graph.flush(cache);
        assertEquals(1, pod.frames.size(), "fragmentation needed back to the pod");
        byte[] icmp = pod.frames.get(0);
        assertEquals(1, icmp[23] & 0xff, "ICMP");
        assertEquals(3, icmp[34] & 0xff, "destination unreachable");
        assertEquals(4, icmp[35] & 0xff, "fragmentation needed");
        assertEquals(TUNNEL_MTU, ByteBuffer.wrap(icmp, 40, 2).getShort() & 0xffff);
        assertEquals(0, pod.gsoTypes.get(0) | pod.offloadFlags.get(0),
                "a TAP must not segment or checksum the ICMP error as the TCP super-frame it was");
    }

    @Test
    void aPartialChecksumIsCompletedBeforeEncapsulation() {
        build();
        inject(tcpFrame(1000), false);
        assertEquals(1, uplink.frames.size());
        assertTrue(tcpValid(inner(uplink.frames.get(0))));
        assertEquals(1, graph.counter("overlay-encap.software_checksum"));
        assertEquals(0, graph.counter("overlay-encap.encap_failed"));
    }
}
