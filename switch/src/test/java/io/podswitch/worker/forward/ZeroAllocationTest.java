package io.podswitch.worker.forward;

import io.podswitch.graph.PacketProcessor;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.port.Port;
import io.podswitch.port.generator.GeneratorPort;
import io.podswitch.worker.Qsbr;
import io.podswitch.worker.Worker;
import io.podswitch.worker.WorkerConfig;
import io.podswitch.worker.WorkerGroup;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The data-path rule, proven: after warm-up, the worker thread allocates nothing while it forwards
 * 10 million generated packets (duty cycle, slow ticks, ports, forwarding mode, counters included), in
 * one of up to four measured windows.
 */
class ZeroAllocationTest {
    private static final long WARM_UP = 2_000_000;
    private static final long MEASURED = 10_000_000;

    private static long allocatedBytes(Thread thread) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return mx.getThreadAllocatedBytes(thread.threadId());
    }

    private static long forwarded(GeneratorPort a, GeneratorPort b) {
        return a.counters().txPackets() + b.counters().txPackets();
    }

    private static void awaitForwarded(GeneratorPort a, GeneratorPort b, long target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (forwarded(a, b) < target) {
            assertTrue(System.nanoTime() < deadline, "forwarded only " + forwarded(a, b) + " of " + target);
            Thread.sleep(5);
        }
    }

    /**
     * Drives a twin worker (same classes, its own pool and ports) from the test thread with a tiny
     * frame cache and a slow tick every few cycles, so every method on the worker's path — including
     * rare ones (pool refills, command drains, QSBR reports) — is JIT-compiled before the measurement.
     * This matters because HotSpot resolves a class's String constants on the thread that first asks
     * for a C2 compile of one of its methods: a late first compile would show up as a few hundred
     * bytes "allocated" by the worker although the data path itself allocates nothing.
     */
    private static void warmUpClasses(BiFunction<FrameSlab, Port[], PacketProcessor> mode) {
        try (FrameSlab slab = new FrameSlab(1024)) {
            FramePool pool = new FramePool(slab);
            GeneratorPort a = GeneratorPort.udp4(0, "warm0", 1, slab);
            GeneratorPort b = GeneratorPort.udp4(1, "warm1", 1, slab);
            WorkerConfig config = WorkerConfig.defaults().withBurstSize(64).withCacheCapacity(128).withTick(4, 100_000L);
            Worker twin = new Worker(0, config, pool, mode.apply(slab, new Port[] {a, b}), new Qsbr(1));
            twin.addRxQueue(a, 0);
            twin.addRxQueue(b, 0);
            twin.onStart();
            for (int i = 0; i < 60_000; i++) {
                twin.doWork();
            }
            twin.onClose();
        }
    }

    private static void assertNoAllocation(BiFunction<FrameSlab, Port[], PacketProcessor> mode) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
        warmUpClasses(mode);
        try (FrameSlab slab = new FrameSlab(4096)) {
            FramePool pool = new FramePool(slab);
            GeneratorPort a = GeneratorPort.udp4(0, "gen0", 1, slab);
            GeneratorPort b = GeneratorPort.udp4(1, "gen1", 1, slab);
            // Short ticks so the measured window also runs thousands of slow ticks.
            WorkerConfig config = WorkerConfig.defaults().withBurstSize(64).withTick(256, 100_000L);
            Worker w = new Worker(0, config, pool, mode.apply(slab, new Port[] {a, b}), new Qsbr(1));
            w.addRxQueue(a, 0);
            w.addRxQueue(b, 0);
            try (WorkerGroup group = WorkerGroup.start(List.of(w), Throwable::printStackTrace)) {
                Thread worker = group.threads().getFirst();
                awaitForwarded(a, b, WARM_UP);
                // Then until three windows of 1M packets in a row allocate nothing (late tier-4
                // compiles of rarely used methods settle), at most 20 windows.
                for (int window = 0, clean = 0; window < 20 && clean < 3; window++) {
                    long windowStart = allocatedBytes(worker);
                    awaitForwarded(a, b, forwarded(a, b) + 1_000_000);
                    clean = allocatedBytes(worker) == windowStart ? clean + 1 : 0;
                }
                // Up to four measured windows of 10M packets, one clean window passes: on a loaded CI
                // machine a C2 recompile or deoptimization can still land in a window after the warm-up
                // (seen once: 392 bytes in 10M packets); a real data-path allocation shows in every one.
                List<String> windows = new java.util.ArrayList<>();
                boolean clean = false;
                for (int window = 0; window < 4 && !clean; window++) {
                    long before = allocatedBytes(worker);
                    long start = forwarded(a, b);
                    awaitForwarded(a, b, start + MEASURED);
                    long allocated = allocatedBytes(worker) - before;
                    windows.add(allocated + " B / " + (forwarded(a, b) - start) + " packets");
                    clean = allocated == 0;
                }
                assertTrue(w.publishedTicks() > 100, "slow ticks ran: " + w.publishedTicks());
                assertTrue(clean, "bytes allocated by " + worker.getName() + " in every window: " + windows);
            }
        }
    }

    @Test
    void ioForwardAllocatesNothing() throws Exception {
        assertNoAllocation((slab, ports) -> new IoForward(slab, ports, 0, 64));
    }

    @Test
    void macSwapAllocatesNothing() throws Exception {
        assertNoAllocation((slab, ports) -> new MacSwap(slab, ports, 0, 64));
    }
}
