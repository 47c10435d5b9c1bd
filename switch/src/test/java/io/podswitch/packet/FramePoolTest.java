package io.podswitch.packet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class FramePoolTest {
    private FrameSlab slab;

    @AfterEach
    void close() {
        if (slab != null) {
            slab.close();
        }
    }

    @Test
    void holdsEveryFrameOnceAndReportsExhaustion() {
        slab = new FrameSlab(100);
        FramePool pool = new FramePool(slab);
        assertEquals(100, pool.available());
        BitSet seen = new BitSet();
        for (int i = 0; i < 100; i++) {
            int f = pool.poll();
            assertTrue(f >= 0 && f < 100, "frame index in range: " + f);
            assertFalse(seen.get(f), "frame " + f + " handed out twice");
            seen.set(f);
        }
        assertEquals(-1, pool.poll(), "an empty pool returns -1");
        assertEquals(-1, pool.poll(), "and keeps doing so");
        assertEquals(0, pool.available());
        for (int f = 0; f < 100; f++) {
            assertTrue(pool.offer(f));
        }
        assertEquals(100, pool.available());
    }

    @Test
    void pollResetsTheFrame() {
        slab = new FrameSlab(4);
        FramePool pool = new FramePool(slab);
        int f = pool.poll();
        slab.setData(f, 10, 99);
        pool.offer(f);
        for (int i = 0; i < 4; i++) {
            int g = pool.poll();
            assertEquals(slab.headroom(), slab.dataOffset(g));
            assertEquals(0, slab.length(g));
        }
    }

    @Test
    void worksForNonPowerOfTwoAndTinyPools() {
        for (int n : new int[] {1, 2, 3, 5, 1000}) {
            try (FrameSlab s = new FrameSlab(n)) {
                FramePool pool = new FramePool(s);
                int count = 0;
                while (pool.poll() >= 0) {
                    count++;
                }
                assertEquals(n, count, "frames in a pool of " + n);
            }
        }
    }

    /**
     * Threads take and return frames as fast as they can; each take must find the frame free in an
     * ownership table (so no frame is ever handed out twice) and at the end every frame is back.
     */
    @Test
    void concurrentPollAndOfferNeverDuplicateOrLoseFrames() throws Exception {
        int frames = 512;
        slab = new FrameSlab(frames);
        FramePool pool = new FramePool(slab);
        AtomicIntegerArray owner = new AtomicIntegerArray(frames);
        int threads = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t + 1;
            Thread thread = new Thread(() -> {
                int[] held = new int[200];
                long seed = me * 0x9E3779B97F4A7C15L;
                try {
                    start.await();
                    for (int round = 0; round < 20_000 && failure.get() == null; round++) {
                        seed = seed * 6364136223846793005L + 1442695040888963407L;
                        int take = 1 + (int) ((seed >>> 33) % held.length);
                        int n = 0;
                        for (; n < take; n++) {
                            int f = pool.poll();
                            if (f < 0) {
                                break;
                            }
                            if (!owner.compareAndSet(f, 0, me)) {
                                failure.compareAndSet(null, "frame " + f + " handed to " + me + " while owned by " + owner.get(f));
                            }
                            held[n] = f;
                        }
                        for (int i = 0; i < n; i++) {
                            owner.set(held[i], 0);
                            if (!pool.offer(held[i])) {
                                failure.compareAndSet(null, "offer of owned frame " + held[i] + " refused");
                            }
                        }
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e.toString());
                }
            });
            workers.add(thread);
            thread.start();
        }
        for (Thread t : workers) {
            t.join(60_000);
            assertFalse(t.isAlive(), "stress thread finished");
        }
        assertNull(failure.get());
        assertEquals(frames, pool.available());
        BitSet seen = new BitSet();
        for (int f = pool.poll(); f >= 0; f = pool.poll()) {
            assertFalse(seen.get(f), "duplicate frame " + f);
            seen.set(f);
        }
        assertEquals(frames, seen.cardinality(), "every frame came back");
    }
}
