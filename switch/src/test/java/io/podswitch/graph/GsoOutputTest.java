package io.podswitch.graph;

import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.checksum;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.pseudo6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortOffloads;
import io.podswitch.port.SimplePortCounters;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * GSO super-frames and partial checksums through the graph (no kernel needed): passed on whole to a
 * port that declares the offloads, segmented / completed in software by interface-output for a port
 * that does not, and checked against the egress MTU as their segments.
 */
class GsoOutputTest {
    private static final long POD_MAC = 0x02_00_00_00_00_10L;
    private static final long GW_MAC = 0x02_00_00_00_00_01L;
    private static final long OUT_MAC = 0x02_00_00_00_00_02L;
    private static final long PEER_MAC = 0x02_00_00_00_00_20L;
    private static final int MSS = 1448;
    /** 1500 - 40 (IPv6) - 20 (TCP): the largest IPv6 segment payload MTU 1500 allows; 1448 would not fit. */
    private static final int MSS6 = 1440;

    /** Records what it is asked to transmit (bytes and offload state) and frees the frames. */
    static final class RecordingPort implements Port {
        final int id;
        final int offloads;
        final List<byte[]> frames = new ArrayList<>();
        final List<Integer> gsoTypes = new ArrayList<>();
        final List<Integer> offloadFlags = new ArrayList<>();
        private final SimplePortCounters counters = new SimplePortCounters();

        RecordingPort(int id, int offloads) {
            this.id = id;
            this.offloads = offloads;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public String name() {
            return "rec" + id;
        }

        @Override
        public int queueCount() {
            return 1;
        }

        @Override
        public int receive(int queue, PacketVector into, FrameCache cache) {
            return 0;
        }

        @Override
        public int transmit(int queue, PacketVector from, FrameCache cache) {
            FrameSlab slab = cache.slab();
            for (int i = 0; i < from.size(); i++) {
                int f = from.frame(i);
                byte[] b = new byte[slab.length(f)];
                MemorySegment.copy(slab.memory(), ValueLayout.JAVA_BYTE, slab.dataStart(f), b, 0, b.length);
                frames.add(b);
                gsoTypes.add(slab.gsoType(f));
                offloadFlags.add(slab.offloadFlags(f));
                cache.free(f);
            }
            int n = from.size();
            from.clear();
            return n;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public PortCounters counters() {
            return counters;
        }

        @Override
        public int offloads() {
            return offloads;
        }

        @Override
        public void close() {
        }
    }

    private final FrameSlab slab = FrameSlab.withLargeFrames(1024, 4);
    private final FrameCache cache = new FrameCache(new FramePool(slab), 64);
    private final RecordingPort in = new RecordingPort(0, PortOffloads.ALL);
    private RecordingPort out;
    private L3Graph graph;

    @AfterEach
    void close() {
        slab.close();
    }

    private void build(int outOffloads, int outMtu) {
        out = new RecordingPort(1, outOffloads);
        Interface a = Interface.builder(in, GW_MAC).ip4("10.1.0.1").ip6("fd01::1").build();
        Interface b = Interface.builder(out, OUT_MAC).ip4("10.2.0.1").ip6("fd02::1").mtu(outMtu).build();
        AdjacencyTable adj = new AdjacencyTable(8);
        int local = adj.addLocal();
        int toPeer = adj.addRewrite(1, PEER_MAC, 0);
        NaiveLpm4 fib4 = new NaiveLpm4().add("10.1.0.1/32", local).add("10.2.0.1/32", local).add("10.2.0.2/32", toPeer);
        NaiveLpm6 fib6 = new NaiveLpm6().add("fd01::1/128", local).add("fd02::1/128", local).add("fd02::2/128", toPeer);
        graph = new L3Graph(slab, new InterfaceTable(a, b), fib4, fib6, adj, new NeighborTable(16), 0);
        graph.tick(System.nanoTime());
    }

    /** TCP header (20 bytes, ACK|PSH, seq 1000) and payload; the checksum field holds the pseudo-header sum. */
    private static byte[] tcp(int payload, long pseudoWithoutLength) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload);
        b.putShort((short) 40000).putShort((short) 5201).putInt(1000).putInt(7).put((byte) 0x50)
                .put((byte) 0x18).putShort((short) 500).putShort((short) 0).putShort((short) 0);
        b.put(bytes(payload, 9));
        byte[] a = b.array();
        long s = pseudoWithoutLength + a.length;
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        a[16] = (byte) (s >>> 8);
        a[17] = (byte) s;
        return a;
    }

    private static long pseudo4(int src, int dst) {
        return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6;
    }

    /** Injects a frame (in a large frame when it needs one) with the given offload state and runs the graph. */
    private void inject(byte[] frame, int gsoType, boolean partial, int l4) {
        inject(frame, gsoType, partial, l4, MSS);
    }

    private void inject(byte[] frame, int gsoType, boolean partial, int l4, int mss) {
        int f = frame.length > slab.frameSize() - slab.headroom() ? cache.allocateLarge() : cache.allocate();
        MemorySegment.copy(frame, 0, slab.memory(), ValueLayout.JAVA_BYTE, slab.dataStart(f), frame.length);
        slab.setLength(f, frame.length);
        slab.setInPort(f, 0);
        if (partial) {
            slab.setChecksumOffload(f, FrameSlab.NEEDS_CSUM, l4, 16);
        }
        if (gsoType != FrameSlab.GSO_NONE) {
            slab.setGso(f, gsoType, mss, l4 + 20);
        }
        PacketVector v = new PacketVector(4);
        v.add(f);
        graph.process(v, cache);
        graph.flush(cache);
    }

    private byte[] superFrame4(int payload) {
        int src = ip4("10.1.0.2");
        int dst = ip4("10.2.0.2");
        return eth(GW_MAC, POD_MAC, 0x0800, ip4Packet(src, dst, 64, 6, 0x4000, 100, tcp(payload, pseudo4(src, dst))));
    }

    private static boolean tcpValid4(byte[] b) {
        int tcpLength = b.length - 34;
        long s = 6 + tcpLength;
        return checksum(b, 26, 8, s + sumOf(b, 34, tcpLength)) == 0;
    }

    private static long sumOf(byte[] b, int off, int len) {
        long s = 0;
        for (int i = 0; i < len; i += 2) {
            s += (b[off + i] & 0xff) << 8 | (i + 1 < len ? b[off + i + 1] & 0xff : 0);
        }
        return s;
    }

    @Test
    void aPortWithOffloadsGetsTheSuperFrameWhole() {
        build(PortOffloads.ALL, 1500);
        byte[] frame = superFrame4(60_000);
        inject(frame, FrameSlab.GSO_TCPV4, true, 34);
        assertEquals(1, out.frames.size());
        byte[] b = out.frames.get(0);
        assertEquals(frame.length, b.length);
        assertEquals(63, b[22] & 0xff, "TTL decremented");
        assertEquals(0, checksum(b, 14, 20, 0), "IPv4 header checksum still valid");
        assertEquals(FrameSlab.GSO_TCPV4, out.gsoTypes.get(0));
        assertEquals(FrameSlab.NEEDS_CSUM, out.offloadFlags.get(0));
        assertEquals(0, graph.counter("interface-output.software_gso"));
    }

    @Test
    void aPortWithoutOffloadsGetsSegments() {
        build(PortOffloads.NONE, 1500);
        inject(superFrame4(60_000), FrameSlab.GSO_TCPV4, true, 34);
        assertEquals((60_000 + MSS - 1) / MSS, out.frames.size());
        long seq = 1000;
        for (int i = 0; i < out.frames.size(); i++) {
            byte[] b = out.frames.get(i);
            assertTrue(b.length <= 1514, "segment " + i + " is " + b.length);
            assertEquals(63, b[22] & 0xff);
            assertEquals(0, checksum(b, 14, 20, 0), "IPv4 header checksum of segment " + i);
            assertTrue(tcpValid4(b), "TCP checksum of segment " + i);
            assertEquals(seq, ByteBuffer.wrap(b, 38, 4).getInt() & 0xffffffffL);
            assertEquals(0, out.gsoTypes.get(i) | out.offloadFlags.get(i));
            seq += b.length - 54;
        }
        assertEquals(1000 + 60_000, seq);
        assertEquals(1, graph.counter("interface-output.software_gso"));
    }

    @Test
    void aPartialChecksumIsCompletedForAPortWithoutOffloads() {
        build(PortOffloads.NONE, 1500);
        inject(superFrame4(1000), FrameSlab.GSO_NONE, true, 34);
        assertEquals(1, out.frames.size());
        assertTrue(tcpValid4(out.frames.get(0)));
        assertEquals(1, graph.counter("interface-output.software_checksum"));
    }

    @Test
    void theMtuCheckSeesSegmentsNotTheSuperFrame() {
        build(PortOffloads.ALL, 1500);
        inject(superFrame4(60_000), FrameSlab.GSO_TCPV4, true, 34);
        assertEquals(1, out.frames.size(), "1448-byte segments fit MTU 1500");
        build(PortOffloads.ALL, 1400);
        inject(superFrame4(60_000), FrameSlab.GSO_TCPV4, true, 34);
        assertEquals(0, out.frames.size(), "20 + 20 + 1448 > 1400");
        assertEquals(1, graph.counter("ip4-rewrite.mtu_exceeded"));
    }

    @Test
    void ipv6SuperFramesAreSegmentedToo() {
        build(PortOffloads.NONE, 1500);
        byte[] src = ip6("fd01::2");
        byte[] dst = ip6("fd02::2");
        byte[] tcp = tcp(30_000, pseudo6(src, dst, 0, 6));
        byte[] frame = eth(GW_MAC, POD_MAC, 0x86dd, ip6Packet(src, dst, 64, 6, tcp));
        inject(frame, FrameSlab.GSO_TCPV6, true, 54, MSS6);
        StringBuilder nonZero = new StringBuilder();
        graph.visit((name, value) -> {
            if (value != 0) {
                nonZero.append(name).append('=').append(value).append(' ');
            }
        });
        assertEquals((30_000 + MSS6 - 1) / MSS6, out.frames.size(), nonZero.toString());
        for (byte[] b : out.frames) {
            assertTrue(b.length <= 1514);
            int tcpLength = b.length - 54;
            assertEquals(tcpLength, ByteBuffer.wrap(b, 18, 2).getShort() & 0xffff);
            assertEquals(63, b[21] & 0xff, "hop limit decremented");
            long s = pseudo6(src, dst, tcpLength, 6);
            assertEquals(0, checksum(b, 54, tcpLength, s), "TCP checksum");
        }
        build(PortOffloads.NONE, 1500);
        inject(frame, FrameSlab.GSO_TCPV6, true, 54, MSS);
        assertEquals(0, out.frames.size(), "40 + 20 + 1448 > 1500: packet too big");
        assertEquals(1, graph.counter("ip6-rewrite.mtu_exceeded"));
    }
}
