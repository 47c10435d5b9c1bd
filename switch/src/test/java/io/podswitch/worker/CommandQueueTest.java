package io.podswitch.worker;

import io.podswitch.graph.PacketProcessor;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CommandQueueTest {
    private static final PacketProcessor NOTHING = new PacketProcessor() {
        @Override
        public void process(PacketVector burst, FrameCache cache) {
            cache.freeAll(burst);
        }

        @Override
        public int flush(FrameCache cache) {
            return 0;
        }
    };

    @Test
    void drainsOldestFirstAndNoMoreThanTheLimit() {
        try (FrameSlab slab = new FrameSlab(16)) {
            Worker worker = new Worker(0, WorkerConfig.defaults().withBurstSize(4), new FramePool(slab), NOTHING, new Qsbr(1));
            CommandQueue q = new CommandQueue(4);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                assertTrue(q.offer(w -> order.add(n)));
            }
            assertFalse(q.offer(w -> order.add(99)), "full: refused, not blocked");
            assertEquals(4, q.size());
            assertEquals(3, q.drain(worker, 3));
            assertEquals(List.of(0, 1, 2), order);
            assertEquals(1, q.drain(worker, 3));
            assertEquals(0, q.drain(worker, 3));
            assertThrows(IllegalArgumentException.class, () -> q.offer(null));
            assertThrows(IllegalArgumentException.class, () -> new CommandQueue(1));
        }
    }

    @Test
    void manyProducersOneConsumerLoseNothing() throws Exception {
        try (FrameSlab slab = new FrameSlab(16)) {
            Worker worker = new Worker(0, WorkerConfig.defaults().withBurstSize(4), new FramePool(slab), NOTHING, new Qsbr(1));
            CommandQueue q = new CommandQueue(64);
            int producers = 3;
            int each = 20_000;
            long[] sum = new long[1];
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                Thread t = new Thread(() -> {
                    WorkerCommand one = w -> sum[0]++;
                    for (int i = 0; i < each; ) {
                        if (q.offer(one)) {
                            i++;
                        } else {
                            Thread.yield();
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (sum[0] < (long) producers * each && System.nanoTime() < deadline) {
                if (q.drain(worker, 16) == 0) {
                    Thread.yield();
                }
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals((long) producers * each, sum[0]);
        }
    }
}
