package io.podswitch.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The large-frame region of the slab and its free ring: layout, ownership, and concurrent use. */
class FramePoolLargeTest {
    @Test
    void largeFramesFollowTheNormalOnesInOneSegment() {
        try (FrameSlab slab = FrameSlab.withLargeFrames(16, 3)) {
            assertEquals(16L * 2048 + 3L * FrameSlab.DEFAULT_LARGE_FRAME_SIZE, slab.memory().byteSize());
            assertEquals(16L * 2048, slab.normalRegionSize());
            assertEquals(16, slab.firstLargeFrame());
            assertEquals(16L * 2048, slab.frameStart(16));
            assertEquals(16L * 2048 + 2L * FrameSlab.DEFAULT_LARGE_FRAME_SIZE, slab.frameStart(18));
            assertEquals(0, slab.memory().address() % FrameSlab.PAGE_SIZE);
            assertTrue(slab.isLarge(16));
            assertFalse(slab.isLarge(15));
            slab.reset(17);
            assertEquals(FrameSlab.DEFAULT_LARGE_FRAME_SIZE - 256, slab.tailroom(17));
            assertEquals(2048 - 256, slab.tailroom(3));
        }
    }

    @Test
    void withoutLargeFramesNothingChanges() {
        try (FrameSlab slab = new FrameSlab(8)) {
            assertEquals(8L * 2048, slab.memory().byteSize());
            FramePool pool = new FramePool(slab);
            assertEquals(-1, pool.pollLarge());
            assertEquals(0, pool.availableLarge());
            assertEquals(8, pool.available());
        }
    }

    @Test
    void refusesBadLargeSizes() {
        assertThrows(IllegalArgumentException.class, () -> new FrameSlab(8, 2048, 256, 1, 5000));
        assertThrows(IllegalArgumentException.class, () -> new FrameSlab(8, 2048, 256, -1, 65536));
    }

    @Test
    void cacheRoutesLargeFramesToTheirOwnRing() {
        try (FrameSlab slab = FrameSlab.withLargeFrames(32, 2)) {
            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 8);
            int a = cache.allocateLarge();
            int b = cache.allocateLarge();
            assertTrue(slab.isLarge(a) && slab.isLarge(b) && a != b);
            assertEquals(-1, cache.allocateLarge());
            slab.setGso(a, FrameSlab.GSO_TCPV4, 1448, 66);
            cache.free(a);
            assertEquals(1, pool.availableLarge());
            assertEquals(0, cache.cached(), "large frames are not cached");
            int again = cache.allocateLarge();
            assertEquals(a, again);
            assertEquals(FrameSlab.GSO_NONE, slab.gsoType(again), "reset on the way out of the pool");
            for (int i = 0; i < 32; i++) {
                assertFalse(slab.isLarge(cache.allocate()), "normal allocation never hands out a large frame");
            }
            cache.free(again);
            cache.free(b);
            assertEquals(2, pool.availableLarge());
        }
    }

    @Test
    void concurrentTakersAndGiversNeverShareOrLoseALargeFrame() throws Exception {
        int large = 64;
        try (FrameSlab slab = FrameSlab.withLargeFrames(16, large)) {
            FramePool pool = new FramePool(slab);
            int threads = 4;
            int rounds = 50_000;
            // owner[i] = thread id + 1 while held; a double hand-out is caught when a second owner appears
            int[] owner = new int[slab.frameCount() + large];
            AtomicReference<String> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int me = t + 1;
                workers[t] = Thread.ofPlatform().start(() -> {
                    int[] held = new int[8];
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int r = 0; r < rounds && failure.get() == null; r++) {
                        int n = 0;
                        for (; n < held.length; n++) {
                            int f = pool.pollLarge();
                            if (f < 0) {
                                break;
                            }
                            if (!slab.isLarge(f)) {
                                failure.set("normal frame " + f + " from the large ring");
                            }
                            synchronized (owner) {
                                if (owner[f] != 0) {
                                    failure.set("frame " + f + " handed to " + me + " while held by " + owner[f]);
                                }
                                owner[f] = me;
                            }
                            held[n] = f;
                        }
                        for (int i = 0; i < n; i++) {
                            synchronized (owner) {
                                owner[held[i]] = 0;
                            }
                            if (!pool.offer(held[i])) {
                                failure.set("offer failed for " + held[i]);
                            }
                        }
                    }
                });
            }
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
            assertEquals(null, failure.get());
            assertEquals(large, pool.availableLarge());
            BitSet seen = new BitSet();
            for (int i = 0; i < large; i++) {
                int f = pool.pollLarge();
                assertTrue(f >= 16 && f < 16 + large && !seen.get(f), "frame " + f);
                seen.set(f);
            }
            assertEquals(-1, pool.pollLarge());
        }
    }
}
