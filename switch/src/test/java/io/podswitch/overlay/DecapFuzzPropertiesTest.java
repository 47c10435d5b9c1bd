package io.podswitch.overlay;

import io.podswitch.packet.FrameSlab;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import static io.podswitch.overlay.OverlayFixture.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecapFuzzPropertiesTest {
    /** Random bytes, and valid frames with random bytes overwritten, never throw or escape the frame. */
    @Property(tries = 2000)
    void garbageNeverThrows(@ForAll @Size(max = 200) byte[] garbage, @ForAll @IntRange(min = 0, max = 3) int kind,
                            @ForAll @IntRange(min = 0, max = 199) int position, @ForAll byte value) {
        try (FrameSlab s = new FrameSlab(2)) {
            TunnelMode mode = (kind & 1) == 0 ? TunnelMode.VXLAN : TunnelMode.GENEVE;
            boolean outer6 = kind >= 2;
            byte[] f;
            if (garbage.length % 2 == 0) {
                f = DecapRejectionTest.valid(mode, outer6);
                f[position % f.length] = value;
            } else {
                f = garbage;
            }
            PeerTable table = table(mirror(peer(mode, outer6)));
            OverlayCounters counters = new OverlayCounters(table);
            load(s, 0, f);
            int end = s.dataOffset(0) + s.length(0);
            int result = new Decapsulator(s, table, counters).decapsulate(0);
            if (result == Decapsulator.DROPPED) {
                assertArrayEquals(f, read(s, 0));
            } else {
                assertTrue(s.length(0) >= 14 && s.dataOffset(0) + s.length(0) <= end);
                assertEquals(1, counters.decapPackets(result));
            }
        }
    }
}
