package io.podswitch.worker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.port.Port;
import io.podswitch.port.memory.MemoryPort;
import io.podswitch.worker.forward.IoForward;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The adaptive idle strategy's sleep and wake-up allocate nothing: one packet at a time goes around
 * (test thread → port a → worker → port b → test thread → port a ...), and the worker, whose spin
 * window is 0, sleeps in epoll_wait after every packet (the next is sent only once it published
 * that sleep) and is woken by the next one. Its thread's
 * allocated bytes do not grow over 20 000 such sleeps, in one of up to four windows (as the other
 * zero-allocation proofs: a late C2 compile may land in a window; a real allocation shows in each).
 */
class AdaptiveIdleZeroAllocationTest {
    private static final int WARM_UP = 40_000;
    private static final int MEASURED = 20_000;

    private static long allocatedBytes(Thread thread) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return mx.getThreadAllocatedBytes(thread.threadId());
    }

    @Test
    void sleepingAndWakingAllocatesNothing() throws Exception {
        try (FrameSlab slab = new FrameSlab(1024)) {
            FramePool pool = new FramePool(slab);
            WatchedMemoryPort a = new WatchedMemoryPort(new MemoryPort(0, "a", pool, 1, 64));
            WatchedMemoryPort b = new WatchedMemoryPort(new MemoryPort(1, "b", pool, 1, 64));
            WorkerConfig config = WorkerConfig.defaults().withBurstSize(32).withIdleStrategy("adaptive:0:3600000");
            Worker w = new Worker(0, config, pool, new IoForward(slab, new Port[] {a, b}, 0, 32), new Qsbr(1));
            w.addRxQueue(a, 0);
            w.addRxQueue(b, 0);
            int frame = pool.poll();
            slab.setLength(frame, 64);
            try (WorkerGroup group = WorkerGroup.start(List.of(w), Throwable::printStackTrace)) {
                Thread worker = group.threads().getFirst();
                frame = roundTrips(w, a, b, frame, WARM_UP);
                List<String> windows = new ArrayList<>();
                boolean clean = false;
                for (int window = 0; window < 4 && !clean; window++) {
                    long sleeps = w.publishedSleeps();
                    long before = allocatedBytes(worker);
                    frame = roundTrips(w, a, b, frame, MEASURED);
                    long allocated = allocatedBytes(worker) - before;
                    windows.add(allocated + " B / " + MEASURED + " packets, " + (w.publishedSleeps() - sleeps) + " sleeps");
                    clean = allocated == 0;
                }
                assertTrue(clean, "bytes allocated by " + worker.getName() + " in every window: " + windows);
            }
        }
    }

    /**
     * One frame goes a → b {@code rounds} times (taken back from b's TX each time), each time only
     * once the worker went to sleep again (its published sleep count moved), so every round is one
     * sleep and one wake-up; returns the frame.
     */
    private static int roundTrips(Worker w, WatchedMemoryPort a, WatchedMemoryPort b, int frame, int rounds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int i = 0; i < rounds; i++) {
            long sleeps = w.publishedSleeps();
            assertTrue(a.injectFrame(frame));
            while ((frame = b.inner().takeFrame(0)) < 0) {
                assertTrue(System.nanoTime() < deadline, "round " + i + " never came back");
                Thread.onSpinWait();
            }
            while (w.publishedSleeps() == sleeps) {
                assertTrue(System.nanoTime() < deadline, "round " + i + ": the worker did not sleep again");
                Thread.onSpinWait();
            }
        }
        return frame;
    }
}
