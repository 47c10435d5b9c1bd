package io.podswitch.neighbor;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeighborCacheTest {
    record Key(int port, long high, long low) {
    }

    @Test
    void randomOperationsMatchAHashMap() {
        for (long seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            NeighborCache cache = new NeighborCache(64);
            Map<Key, Long> reference = new HashMap<>();
            for (int op = 0; op < 5000; op++) {
                // A small key space so that learn, refresh and remove hit the same keys and clusters form.
                Key k = new Key(r.nextInt(3), r.nextInt(2) == 0 ? 0 : 0xfe80L << 48, r.nextInt(100));
                long mac = r.nextLong() & 0xffff_ffff_ffffL;
                switch (r.nextInt(4)) {
                    case 0, 1 -> {
                        boolean stored = cache.learn(k.port, k.high, k.low, mac, op);
                        if (reference.containsKey(k) || reference.size() < 64) {
                            assertTrue(stored, "learn must succeed below capacity");
                            reference.put(k, mac);
                        } else {
                            assertFalse(stored, "learn must fail when full");
                        }
                    }
                    case 2 -> assertEquals(reference.remove(k) != null, cache.remove(k.port, k.high, k.low));
                    default -> {
                        boolean found = cache.refresh(k.port, k.high, k.low, mac, op);
                        assertEquals(reference.containsKey(k), found);
                        if (found) {
                            reference.put(k, mac);
                        }
                    }
                }
                assertEquals(reference.size(), cache.size());
            }
            for (Map.Entry<Key, Long> e : reference.entrySet()) {
                Key k = e.getKey();
                int slot = cache.find(k.port, k.high, k.low);
                assertTrue(slot >= 0, "seed " + seed + ": lost " + k);
                assertEquals(e.getValue(), cache.mac(slot));
            }
        }
    }

    @Test
    void staticEntriesNeitherExpireNorYieldToLearning() {
        NeighborCache cache = new NeighborCache(8);
        assertTrue(cache.putStatic(1, 0, 10, 0xaaL));
        assertTrue(cache.learn(1, 0, 11, 0xbbL, 0));
        assertTrue(cache.learn(1, 0, 10, 0xccL, 0));
        assertEquals(0xaaL, cache.mac(cache.find(1, 0, 10)), "learning does not override a static entry");
        assertEquals(1, cache.expire(10_000, 100));
        assertTrue(cache.find(1, 0, 10) >= 0);
        assertTrue(cache.find(1, 0, 11) < 0);
    }

    @Test
    void expiryKeepsFreshEntriesAndFindsEveryRemainingOne() {
        NeighborCache cache = new NeighborCache(1000);
        for (int i = 0; i < 1000; i++) {
            assertTrue(cache.learn(0, 0, i, i, i % 2 == 0 ? 0 : 1000));
        }
        assertEquals(500, cache.expire(1500, 1000));
        for (int i = 0; i < 1000; i++) {
            assertEquals(i % 2 == 1, cache.find(0, 0, i) >= 0, "entry " + i);
        }
    }

    @Test
    void tableIsPerPort() {
        NeighborTable table = new NeighborTable(4);
        table.learn4(0, 0x0a000001, 0x1L, 0);
        assertTrue(table.find4(0, 0x0a000001) >= 0);
        assertTrue(table.find4(1, 0x0a000001) < 0);
    }

    @Test
    void badCapacityIsRejected() {
        for (int bad : List.of(0, -1, (1 << 24) + 1)) {
            assertThrows(IllegalArgumentException.class, () -> new NeighborCache(bad));
        }
        assertThrows(IllegalArgumentException.class, () -> new NeighborTable(4, 0));
    }
}
