package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** AF_XDP socket setup on the loopback interface: modes, fallbacks and precise errors. */
@Tag("privileged")
class XskSocketTest {
    private final Arena arena = Arena.ofShared();
    private final XskUmem umem = new XskUmem(arena.allocate(256 * 2048, 4096), 2048, 0);
    private final XskSocketOptions small = XskSocketOptions.defaults().withRingSizes(64, 64, 64, 64);

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void autoFallsBackToCopyModeAndMapsFourRings() {
        try (XskSocket s = XskSocket.open(umem, "lo", 0, small)) {
            assertFalse(s.zeroCopy(), "lo has no zero-copy AF_XDP");
            assertEquals(64, s.fillRing().size());
            assertEquals(64, s.rxRing().size());
            assertEquals(64, s.fillRing().free(64), "an empty fill ring has all its slots free");
            assertEquals(0, s.rxRing().peek(64));
            assertEquals(1, umem.socketCount());
        }
        assertEquals(0, umem.socketCount());
    }

    @Test
    void forcedZeroCopyIsRefusedWithTheReason() {
        NativeException e = assertThrows(NativeException.class,
                () -> XskSocket.open(umem, "lo", 0, small.withBindMode(XskBindMode.ZEROCOPY)));
        assertTrue(e.getMessage().startsWith("bind(AF_XDP) on 'lo queue 0'"), e.getMessage());
        assertTrue(e.getMessage().contains("ZEROCOPY"), e.getMessage());
        assertEquals(0, umem.socketCount(), "nothing left registered");
    }

    @Test
    void badInterfaceAndQueueAreNamed() {
        NativeException noDevice = assertThrows(NativeException.class,
                () -> XskSocket.open(umem, "nosuchif0", 0, small));
        assertEquals("if_nametoindex", noDevice.call());
        assertTrue(noDevice.getMessage().contains("'nosuchif0'"), noDevice.getMessage());
        NativeException noQueue = assertThrows(NativeException.class, () -> XskSocket.open(umem, "lo", 7, small));
        assertTrue(noQueue.getMessage().contains("'lo queue 7'"), noQueue.getMessage());
    }

    @Test
    void ringsAreUsableThroughTheirIndices() {
        try (XskSocket s = XskSocket.open(umem, "lo", 0, small.withBindMode(XskBindMode.COPY))) {
            XskProducerRing fill = s.fillRing();
            assertEquals(8, fill.reserve(8));
            for (int i = 0; i < 8; i++) {
                fill.setAddress(fill.reservedStart() + i, (long) i * umem.chunkSize());
            }
            fill.submit();
            assertEquals(8, fill.producerIndex(), "published with a release store, seen by the kernel side");
            assertEquals(56, fill.free(64));
        }
    }
}
