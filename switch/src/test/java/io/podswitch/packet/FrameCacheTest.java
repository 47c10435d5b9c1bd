package io.podswitch.packet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class FrameCacheTest {
    private FrameSlab slab;

    @AfterEach
    void close() {
        if (slab != null) {
            slab.close();
        }
    }

    @Test
    void refillsHalfFromThePoolAndFlushesHalfWhenFull() {
        slab = new FrameSlab(64);
        FramePool pool = new FramePool(slab);
        FrameCache cache = new FrameCache(pool, 16);
        int f = cache.allocate();
        assertTrue(f >= 0);
        assertEquals(7, cache.cached(), "refill takes capacity/2 = 8 and hands one out");
        assertEquals(56, pool.available());
        int[] held = new int[40];
        held[0] = f;
        for (int i = 1; i < 40; i++) {
            held[i] = cache.allocate();
        }
        for (int i = 0; i < 40; i++) {
            cache.free(held[i]);
        }
        assertTrue(cache.cached() <= 16, "never holds more than its capacity");
        assertEquals(64, pool.available() + cache.cached());
        cache.flush();
        assertEquals(0, cache.cached());
        assertEquals(64, pool.available());
    }

    @Test
    void exhaustionReturnsMinusOneAndRecovers() {
        slab = new FrameSlab(10);
        FramePool pool = new FramePool(slab);
        FrameCache a = new FrameCache(pool, 4);
        FrameCache b = new FrameCache(pool, 4);
        BitSet got = new BitSet();
        for (int i = 0; i < 10; i++) {
            int f = a.allocate();
            assertTrue(f >= 0, "frame " + i);
            assertFalse(got.get(f));
            got.set(f);
        }
        assertEquals(-1, a.allocate());
        assertEquals(-1, b.allocate());
        b.free(3);
        assertEquals(-1, a.allocate(), "a frame in another cache is not visible");
        assertEquals(3, b.allocate());
        a.free(4);
        a.flush();
        assertEquals(4, b.allocate(), "flushed frames are visible to every cache");
    }

    @Test
    void allocateResetsAndFreeAllClearsTheVector() {
        slab = new FrameSlab(8);
        FramePool pool = new FramePool(slab);
        FrameCache cache = new FrameCache(pool, 4);
        PacketVector v = new PacketVector(4);
        for (int i = 0; i < 4; i++) {
            int f = cache.allocate();
            slab.setData(f, 3, 77);
            v.add(f);
        }
        cache.freeAll(v);
        assertEquals(0, v.size());
        int f = cache.allocate();
        assertEquals(slab.headroom(), slab.dataOffset(f));
        assertEquals(0, slab.length(f));
    }

    @Test
    void rejectsTooSmallCapacity() {
        slab = new FrameSlab(8);
        FramePool pool = new FramePool(slab);
        assertThrows(IllegalArgumentException.class, () -> new FrameCache(pool, 1));
    }

    /** Per-thread caches over one pool, with frames handed between threads: none duplicated or lost. */
    @Test
    void cachesOnManyThreadsKeepEveryFrameExactlyOnce() throws Exception {
        int frames = 1024;
        slab = new FrameSlab(frames);
        FramePool pool = new FramePool(slab);
        AtomicIntegerArray owner = new AtomicIntegerArray(frames);
        AtomicReference<String> failure = new AtomicReference<>();
        int threads = 3;
        List<Thread> list = new ArrayList<>();
        List<FrameCache> caches = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t + 1;
            FrameCache cache = new FrameCache(pool, 64);
            caches.add(cache);
            Thread thread = new Thread(() -> {
                int[] held = new int[300];
                for (int round = 0; round < 5_000 && failure.get() == null; round++) {
                    int want = 1 + (round * 37 + me * 11) % held.length;
                    int n = 0;
                    while (n < want) {
                        int f = cache.allocate();
                        if (f < 0) {
                            break;
                        }
                        if (!owner.compareAndSet(f, 0, me)) {
                            failure.compareAndSet(null, "frame " + f + " given to " + me + " but owned by " + owner.get(f));
                        }
                        held[n++] = f;
                    }
                    for (int i = 0; i < n; i++) {
                        owner.set(held[i], 0);
                        cache.free(held[i]);
                    }
                }
                cache.flush();
            });
            list.add(thread);
            thread.start();
        }
        for (Thread t : list) {
            t.join(60_000);
            assertFalse(t.isAlive());
        }
        assertNull(failure.get());
        for (FrameCache c : caches) {
            assertEquals(0, c.cached());
        }
        BitSet seen = new BitSet();
        for (int f = pool.poll(); f >= 0; f = pool.poll()) {
            assertFalse(seen.get(f), "duplicate " + f);
            seen.set(f);
        }
        assertEquals(frames, seen.cardinality());
    }
}
