package io.podswitch.port.generator;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class GeneratorPortTest {
    private final FrameSlab slab = new FrameSlab(1024);
    private final FramePool pool = new FramePool(slab);

    @AfterEach
    void close() {
        slab.close();
    }

    private static int checksum(byte[] b, int off, int len, long initial) {
        long s = initial + UdpTemplate.sum(b, off, len);
        return UdpTemplate.fold(s);
    }

    private byte[] bytesOf(int frame) {
        return slab.memory().asSlice(slab.dataStart(frame), slab.length(frame)).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Verifies the IPv4 header checksum and the UDP checksum (with pseudo-header) of a frame. */
    private static void assertValidIpv4Udp(byte[] b) {
        assertEquals(0xffff, checksum(b, 14, 20, 0), "IPv4 header checksum");
        int udpLen = ((b[38] & 0xff) << 8) | (b[39] & 0xff);
        long pseudo = UdpTemplate.sum(b, 26, 8) + 17 + udpLen;
        assertEquals(0xffff, checksum(b, 34, udpLen, pseudo), "UDP checksum");
    }

    @Test
    void generatesValidIpv4UdpPacketsWithVaryingSourcePorts() {
        GeneratorPort gen = new GeneratorPort(5, "gen0", 1, slab, UdpTemplate.ipv4(0x020000000001L, 0x020000000002L,
                0x0A000001, 0x0A000002, 1000, 4789, 64), 4, Long.MAX_VALUE);
        FrameCache cache = new FrameCache(pool, 64);
        PacketVector v = new PacketVector(10);
        assertEquals(10, gen.receive(0, v, cache));
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            int f = v.frame(i);
            assertEquals(64, slab.length(f));
            assertEquals(5, slab.inPort(f));
            byte[] b = bytesOf(f);
            assertEquals(0x0800, ((b[12] & 0xff) << 8) | (b[13] & 0xff));
            assertValidIpv4Udp(b);
            int port = Bytes.u16(MemorySegment.ofArray(b), 34);
            assertEquals(1000 + i % 4, port, "flows cycle through 4 source ports");
            ports.add(port);
        }
        assertEquals(4, ports.size());
        assertEquals(10, gen.counters().rxPackets());
        assertEquals(640, gen.counters().rxBytes());
        assertEquals(10, gen.transmit(0, v, cache), "the sink takes everything");
        assertEquals(10, gen.counters().txPackets());
        cache.flush();
        assertEquals(1024, pool.available(), "the sink freed every frame");
    }

    @Test
    void ipv6TemplateHasAValidUdpChecksumForEveryFlow() {
        UdpTemplate t = UdpTemplate.ipv6(1, 2, 0xfd00_0000_0000_0000L, 1, 0xfd00_0000_0000_0000L, 2, 40000, 53, 78);
        GeneratorPort gen = new GeneratorPort(0, "gen6", 1, slab, t, 1000, Long.MAX_VALUE);
        FrameCache cache = new FrameCache(pool, 64);
        PacketVector v = new PacketVector(32);
        gen.receive(0, v, cache);
        for (int i = 0; i < v.size(); i++) {
            byte[] b = bytesOf(v.frame(i));
            assertEquals(0x86DD, ((b[12] & 0xff) << 8) | (b[13] & 0xff));
            int udpLen = ((b[58] & 0xff) << 8) | (b[59] & 0xff);
            assertEquals(78 - 54, udpLen);
            long pseudo = UdpTemplate.sum(b, 22, 32) + 17 + udpLen;
            assertEquals(0xffff, checksum(b, 54, udpLen, pseudo), "UDP checksum of packet " + i);
        }
        cache.freeAll(v);
    }

    @Test
    void limitStopsGenerationExactly() {
        GeneratorPort gen = new GeneratorPort(0, "gen0", 2, slab, GeneratorPort.udp4(0, "x", 1, slab).template(),
                16, 300);
        FrameCache cache = new FrameCache(pool, 512);
        PacketVector v = new PacketVector(256);
        long total = 0;
        for (int i = 0; i < 5; i++) {
            total += gen.receive(1, v, cache);
            cache.freeAll(v);
        }
        assertEquals(300, total);
        assertEquals(300, gen.generated(1));
        assertEquals(0, gen.generated(0), "queues count separately");
    }

    @Test
    void poolExhaustionIsCountedNotThrown() {
        try (FrameSlab small = new FrameSlab(8)) {
            FramePool smallPool = new FramePool(small);
            GeneratorPort gen = GeneratorPort.udp4(0, "gen0", 1, small);
            FrameCache cache = new FrameCache(smallPool, 16);
            PacketVector v = new PacketVector(32);
            assertEquals(8, gen.receive(0, v, cache));
            assertEquals(24, gen.counters().drops(PortDropReason.NO_FRAME));
        }
    }

    @Test
    void rejectsBadParameters() {
        UdpTemplate t = UdpTemplate.ipv4(1, 2, 3, 4, 65000, 5, 64);
        assertThrows(IllegalArgumentException.class, () -> new GeneratorPort(0, "g", 1, slab, t, 1000, 1));
        assertThrows(IllegalArgumentException.class, () -> new GeneratorPort(0, "g", 0, slab, t, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> UdpTemplate.ipv4(1, 2, 3, 4, 5, 6, 20));
        assertThrows(IllegalArgumentException.class, () -> UdpTemplate.ipv4(1, 2, 3, 4, 70000, 6, 64));
        UdpTemplate big = UdpTemplate.ipv4(1, 2, 3, 4, 5, 6, 1900);
        assertThrows(IllegalArgumentException.class, () -> new GeneratorPort(0, "g", 1, slab, big, 1, 1));
    }

    @Test
    void withoutFillingFramesOnlyTheLengthIsSet() {
        UdpTemplate t = UdpTemplate.ipv4(1, 2, 3, 4, 5, 6, 64);
        GeneratorPort gen = new GeneratorPort(0, "g", 1, slab, t, 1, Long.MAX_VALUE, false);
        FrameCache cache = new FrameCache(pool, 64);
        PacketVector v = new PacketVector(4);
        assertEquals(4, gen.receive(0, v, cache));
        for (int i = 0; i < 4; i++) {
            assertEquals(64, slab.length(v.frame(i)));
            assertEquals(0, Bytes.u16(slab.memory(), slab.dataStart(v.frame(i)) + 12), "frame not written");
        }
        cache.freeAll(v);
    }
}
