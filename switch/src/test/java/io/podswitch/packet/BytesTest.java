package io.podswitch.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BytesTest {

    @Test
    void bothMacsWithTwoStoresEqualTwoSingleWritesAndLeaveTheEtherTypeAlone() {
        Random r = new Random(3);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(32);
            MemorySegment b = arena.allocate(32);
            for (int i = 0; i < 10_000; i++) {
                long dst = r.nextLong() & 0xffff_ffff_ffffL;
                long src = r.nextLong() & 0xffff_ffff_ffffL;
                int off = r.nextInt(8);
                byte[] noise = new byte[32];
                r.nextBytes(noise);
                MemorySegment.copy(noise, 0, a, ValueLayout.JAVA_BYTE, 0, 32);
                MemorySegment.copy(noise, 0, b, ValueLayout.JAVA_BYTE, 0, 32);
                Bytes.macs(a, off, dst, src);
                Bytes.mac(b, off + Ethernet.DESTINATION, dst);
                Bytes.mac(b, off + Ethernet.SOURCE, src);
                assertEquals(-1L, a.mismatch(b), "frames differ after writing " + Long.toHexString(dst) + " / "
                        + Long.toHexString(src));
                assertEquals(dst, Bytes.destinationMac(a, off));
                assertEquals(src, Bytes.sourceMac(a, off));
                assertEquals(Bytes.mac(b, off + Ethernet.DESTINATION), Bytes.destinationMac(b, off));
                assertEquals(Bytes.mac(b, off + Ethernet.SOURCE), Bytes.sourceMac(b, off));
            }
        }
    }
}
