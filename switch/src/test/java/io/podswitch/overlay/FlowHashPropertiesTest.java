package io.podswitch.overlay;

import io.podswitch.graph.TestFrames;
import io.podswitch.packet.FrameSlab;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The UDP source port over random inner 5-tuples: always in 49152-65535, deterministic, flow-sensitive. */
class FlowHashPropertiesTest {
    private static final MemorySegment BUFFER = MemorySegment.ofArray(new byte[256]);

    static int port(byte[] frame) {
        MemorySegment.copy(frame, 0, BUFFER, ValueLayout.JAVA_BYTE, 0, frame.length);
        return FlowHash.sourcePort(BUFFER, 0, frame.length);
    }

    static byte[] frame(boolean v6, int src, int dst, int protocol, int sport, int dport) {
        byte[] l4 = ByteBuffer.allocate(8).putShort((short) sport).putShort((short) dport).putInt(0).array();
        if (v6) {
            byte[] s = ByteBuffer.allocate(16).putLong(0xfd00_0000_0000_0000L).putLong(src).array();
            byte[] d = ByteBuffer.allocate(16).putLong(0xfd00_0000_0000_0000L).putLong(dst).array();
            return TestFrames.eth(2, 4, 0x86dd, TestFrames.ip6Packet(s, d, 64, protocol, l4));
        }
        return TestFrames.eth(2, 4, 0x0800, TestFrames.ip4Packet(src, dst, 64, protocol, 0, 1, l4));
    }

    @Property(tries = 1000)
    void inRangeAndDeterministic(@ForAll boolean v6, @ForAll int src, @ForAll int dst,
                                 @ForAll @IntRange(min = 0, max = 255) int protocol,
                                 @ForAll @IntRange(min = 0, max = 65535) int sport,
                                 @ForAll @IntRange(min = 0, max = 65535) int dport) {
        byte[] f = frame(v6, src, dst, protocol, sport, dport);
        int port = port(f);
        assertTrue(port >= 49152 && port <= 65535, "port " + port);
        assertEquals(port, port(f.clone()));
        // The TTL / hop limit and the payload are not part of the flow.
        f[v6 ? 21 : 22]--;
        assertEquals(port, port(f));
    }

    @Property(tries = 300)
    void portsTellFlowsApart(@ForAll boolean v6, @ForAll int src, @ForAll int dst,
                             @ForAll @IntRange(min = 0, max = 65000) int sport) {
        // Over 256 TCP flows differing only in the source port, nearly all get their own tunnel port.
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (int i = 0; i < 256; i++) {
            ports.add(port(frame(v6, src, dst, 6, sport + i, 443)));
        }
        assertTrue(ports.size() > 230, "256 flows on " + ports.size() + " ports");
    }

    @Property(tries = 300)
    void anyPrefixOfAFrameStaysInRange(@ForAll boolean v6, @ForAll int src, @ForAll @IntRange(min = 0, max = 80) int cut) {
        byte[] f = frame(v6, src, ~src, 17, 1, 2);
        int length = Math.min(cut, f.length);
        try (FrameSlab slab = new FrameSlab(1)) {
            MemorySegment.copy(f, 0, slab.memory(), ValueLayout.JAVA_BYTE, slab.dataStart(0), length);
            int port = FlowHash.sourcePort(slab.memory(), slab.dataStart(0), length);
            assertTrue(port >= 49152 && port <= 65535);
        }
    }
}
