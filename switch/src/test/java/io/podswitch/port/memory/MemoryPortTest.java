package io.podswitch.port.memory;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class MemoryPortTest {
    private final FrameSlab slab = new FrameSlab(64);
    private final FramePool pool = new FramePool(slab);

    @AfterEach
    void close() {
        slab.close();
    }

    @Test
    void injectedPacketsAreReceivedInOrderAndTransmittedOnesCanBeTaken() {
        MemoryPort port = new MemoryPort(3, "mem0", pool, 2, 8);
        FrameCache cache = new FrameCache(pool, 8);
        assertTrue(port.inject(1, new byte[] {1, 2, 3}));
        assertTrue(port.inject(1, new byte[] {4, 5}));
        assertEquals(2, port.pendingReceive(1));
        PacketVector v = new PacketVector(4);
        assertEquals(0, port.receive(0, v, cache), "queue 0 is empty");
        assertEquals(2, port.receive(1, v, cache));
        assertEquals(3, slab.length(v.frame(0)));
        assertEquals(3, slab.inPort(v.frame(0)), "receive stamps the port id");
        assertEquals(2, port.counters().rxPackets());
        assertEquals(5, port.counters().rxBytes());
        assertEquals(2, port.transmit(0, v, cache));
        assertTrue(v.isEmpty());
        assertArrayEquals(new byte[] {1, 2, 3}, port.take(0));
        assertArrayEquals(new byte[] {4, 5}, port.take(0));
        assertNull(port.take(0));
        assertEquals(2, port.counters().txPackets());
        assertEquals(5, port.counters().txBytes());
        assertEquals(64 - cache.cached(), pool.available(), "taken frames went back to the pool");
    }

    @Test
    void receiveTakesNoMoreThanTheVectorHolds() {
        MemoryPort port = new MemoryPort(0, "mem0", pool, 1, 16);
        FrameCache cache = new FrameCache(pool, 8);
        for (int i = 0; i < 10; i++) {
            assertTrue(port.inject(0, new byte[] {(byte) i}));
        }
        PacketVector v = new PacketVector(4);
        assertEquals(4, port.receive(0, v, cache));
        assertEquals(0, port.receive(0, v, cache), "a full vector takes nothing");
        assertEquals(6, port.pendingReceive(0));
        cache.freeAll(v);
        port.close();
        cache.flush();
        assertEquals(64, pool.available(), "close returns queued frames");
    }

    @Test
    void fullTxRingDropsAndCounts() {
        MemoryPort port = new MemoryPort(0, "mem0", pool, 1, 2);
        FrameCache cache = new FrameCache(pool, 8);
        PacketVector v = new PacketVector(8);
        for (int i = 0; i < 5; i++) {
            v.add(cache.allocate());
        }
        assertEquals(2, port.transmit(0, v, cache));
        assertEquals(3, port.counters().drops(PortDropReason.TX_FULL));
        assertTrue(v.isEmpty());
        port.close();
        cache.flush();
        assertEquals(64, pool.available(), "dropped frames were freed, queued ones returned on close");
    }

    @Test
    void injectRefusesOversizeAndReportsExhaustion() {
        MemoryPort port = new MemoryPort(0, "mem0", pool, 1, 128);
        assertThrows(IllegalArgumentException.class, () -> port.inject(0, new byte[2048]));
        int accepted = 0;
        while (port.inject(0, new byte[60])) {
            accepted++;
        }
        assertEquals(64, accepted, "every frame of the pool, then false");
        port.close();
        assertEquals(64, pool.available());
    }

    @Test
    void spscRingKeepsOrderAcrossThreads() throws Exception {
        SpscIntRing ring = new SpscIntRing(64);
        int total = 500_000;
        AtomicReference<String> failure = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            int expected = 0;
            while (expected < total) {
                int v = ring.poll();
                if (v < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                if (v != expected) {
                    failure.set("expected " + expected + " got " + v);
                    return;
                }
                expected++;
            }
        });
        consumer.start();
        for (int i = 0; i < total; ) {
            if (ring.offer(i)) {
                i++;
            } else {
                Thread.onSpinWait();
            }
        }
        consumer.join(30_000);
        assertFalse(consumer.isAlive());
        assertNull(failure.get());
        assertEquals(0, ring.size());
        assertEquals(64, ring.capacity());
        for (int i = 0; i < 64; i++) {
            assertTrue(ring.offer(i));
        }
        assertFalse(ring.offer(99), "full");
    }
}
