package io.podswitch.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.*;

class PacketVectorTest {
    @Test
    void addsTruncatesAndClears() {
        PacketVector v = new PacketVector(3);
        assertTrue(v.isEmpty());
        v.add(7);
        v.add(8);
        assertEquals(2, v.size());
        assertEquals(1, v.free());
        v.add(9);
        assertTrue(v.isFull());
        v.set(0, 5);
        assertEquals(5, v.frame(0));
        v.truncate(1);
        assertEquals(1, v.size());
        assertEquals(5, v.array()[0]);
        v.clear();
        assertTrue(v.isEmpty());
        assertEquals(PacketVector.DEFAULT_CAPACITY, new PacketVector().capacity());
    }

    @Test
    void bytesAreNetworkOrder() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(16);
            Bytes.u16(m, 0, 0x1234);
            assertEquals(0x12, Bytes.u8(m, 0));
            assertEquals(0x34, Bytes.u8(m, 1));
            Bytes.i32(m, 2, 0xC0A80001);
            assertEquals(0xC0A80001, Bytes.i32(m, 2));
            assertEquals(0xC0, Bytes.u8(m, 2));
            Bytes.mac(m, 6, 0x0011_2233_4455L);
            assertEquals(0x00, Bytes.u8(m, 6));
            assertEquals(0x55, Bytes.u8(m, 11));
            assertEquals(0x0011_2233_4455L, Bytes.mac(m, 6));
            Bytes.i64(m, 8, 0x0102030405060708L);
            assertEquals(1, Bytes.u8(m, 8));
            assertEquals(0x0102030405060708L, Bytes.i64(m, 8));
        }
    }

    @Test
    void slabFramesArePageAlignedAndHeadroomWorks() {
        try (FrameSlab slab = new FrameSlab(4)) {
            assertEquals(0, slab.memory().address() % FrameSlab.PAGE_SIZE);
            assertEquals(2048, slab.frameStart(1));
            assertEquals(1, slab.frameOf(2048 + 100));
            assertEquals(2048 + 256, slab.dataStart(1));
            slab.setLength(1, 100);
            long start = slab.prepend(1, 50);
            assertEquals(2048 + 206, start);
            assertEquals(150, slab.length(1));
            slab.strip(1, 50);
            assertEquals(100, slab.length(1));
            assertEquals(-1, slab.prepend(1, 300), "not enough headroom");
            assertEquals(2048 - 256 - 100, slab.tailroom(1));
            assertThrows(IllegalArgumentException.class, () -> new FrameSlab(0));
            assertThrows(IllegalArgumentException.class, () -> new FrameSlab(1, 3000, 0));
        }
    }
}
