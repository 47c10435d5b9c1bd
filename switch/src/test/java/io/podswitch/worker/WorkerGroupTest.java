package io.podswitch.worker;

import io.podswitch.nativeio.Sched;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.port.memory.MemoryPort;
import io.podswitch.worker.forward.IoForward;
import io.podswitch.port.Port;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class WorkerGroupTest {
    static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    @Test
    void runsNamedPinnedThreadsAndStopsCleanly() throws Exception {
        BitSet allowed = Sched.affinity(0);
        int cpu = allowed.nextSetBit(0);
        try (FrameSlab slab = new FrameSlab(4096)) {
            FramePool pool = new FramePool(slab);
            MemoryPort a = new MemoryPort(0, "a", pool, 2, 256);
            MemoryPort b = new MemoryPort(1, "b", pool, 2, 256);
            Qsbr qsbr = new Qsbr(2);
            WorkerConfig config = WorkerConfig.defaults().withBurstSize(32).withTick(64, 200_000L);
            Worker w0 = new Worker(0, config.withCpu(cpu), pool, new IoForward(slab, new Port[] {a, b}, 0, 32), qsbr);
            Worker w1 = new Worker(1, config, pool, new IoForward(slab, new Port[] {a, b}, 1, 32), qsbr);
            w0.addRxQueue(a, 0);
            w1.addRxQueue(a, 1);
            ConcurrentHashMap<String, BitSet> seen = new ConcurrentHashMap<>();
            try (WorkerGroup group = WorkerGroup.start(List.of(w0, w1), Throwable::printStackTrace)) {
                assertEquals(List.of("podswitch-worker-0", "podswitch-worker-1"),
                        group.threads().stream().map(Thread::getName).toList());
                for (Worker w : group.workers()) {
                    // Commands are allocated here, on the control side; the worker only runs them.
                    assertTrue(w.commands().offer(worker -> seen.put(Thread.currentThread().getName(), Sched.affinity(0))));
                }
                await(() -> seen.size() == 2, "both workers to run a command");
                BitSet only = new BitSet();
                only.set(cpu);
                assertEquals(only, seen.get("podswitch-worker-0"), "worker 0 pinned to cpu " + cpu);
                assertEquals(allowed, seen.get("podswitch-worker-1"), "worker 1 not pinned");

                RxQueueCommand add = RxQueueCommand.add(b, 1);
                assertTrue(w1.commands().offer(add));
                await(add::isDone, "rx queue command");
                assertTrue(add.succeeded());
                for (int i = 0; i < 100; i++) {
                    assertTrue(a.inject(0, new byte[64]));
                    assertTrue(b.inject(1, new byte[64]));
                }
                await(() -> b.pendingTransmitted(0) == 100 && a.pendingTransmitted(1) == 100, "forwarding");
                assertTrue(qsbr.synchronize(10, TimeUnit.SECONDS), "running workers pass quiescent points");
                await(() -> w0.publishedRxPackets() == 100 && w1.publishedRxPackets() == 100, "counters");
            }
            assertTrue(qsbr.check(qsbr.start()), "stopped workers are offline");
            a.close();
            b.close();
            assertEquals(4096, pool.available(), "after close every frame is back in the pool");
        }
    }

    @Test
    void rejectsDuplicateIds() {
        try (FrameSlab slab = new FrameSlab(1024)) {
            FramePool pool = new FramePool(slab);
            MemoryPort a = new MemoryPort(0, "a", pool, 1, 16);
            MemoryPort b = new MemoryPort(1, "b", pool, 1, 16);
            Qsbr qsbr = new Qsbr(2);
            Worker w0 = new Worker(0, WorkerConfig.defaults(), pool, new IoForward(slab, new Port[] {a, b}, 0, 32), qsbr);
            Worker w0b = new Worker(0, WorkerConfig.defaults(), pool, new IoForward(slab, new Port[] {a, b}, 0, 32), qsbr);
            assertThrows(IllegalArgumentException.class, () -> WorkerGroup.start(List.of(w0, w0b), Throwable::printStackTrace));
        }
    }
}
