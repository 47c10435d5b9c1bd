package io.podswitch.worker;

import io.podswitch.graph.PacketProcessor;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.memory.MemoryPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The duty cycle driven by hand with a manual clock: deterministic, single-threaded. */
class WorkerTest {
    private final FrameSlab slab = new FrameSlab(512);
    private final FramePool pool = new FramePool(slab);
    private final ManualClock clock = new ManualClock();
    private final Recorder recorder = new Recorder();

    static final class ManualClock implements org.agrona.concurrent.NanoClock {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime() {
            return now;
        }
    }

    /** Records bursts and frees them; counts flushes and ticks. */
    static final class Recorder implements PacketProcessor {
        final List<Integer> bursts = new ArrayList<>();
        int flushes;
        final List<Long> ticks = new ArrayList<>();

        @Override
        public void process(PacketVector burst, FrameCache cache) {
            bursts.add(burst.size());
            cache.freeAll(burst);
        }

        @Override
        public int flush(FrameCache cache) {
            flushes++;
            return 0;
        }

        @Override
        public void tick(long nowNanos) {
            ticks.add(nowNanos);
        }
    }

    @AfterEach
    void close() {
        slab.close();
    }

    private Worker worker(WorkerConfig config, Qsbr qsbr) {
        Worker w = new Worker(0, config, pool, recorder, qsbr, clock);
        w.onStart();
        return w;
    }

    private static Map<String, Long> counters(Worker w) {
        Map<String, Long> m = new LinkedHashMap<>();
        w.visit(m::put);
        return m;
    }

    @Test
    void receivesBurstsFromEveryQueueThenFlushesOnce() {
        Worker w = worker(WorkerConfig.defaults().withBurstSize(4).withTick(1000, 1_000_000_000L), new Qsbr(1));
        MemoryPort a = new MemoryPort(0, "a", pool, 2, 64);
        MemoryPort b = new MemoryPort(1, "b", pool, 1, 64);
        assertTrue(w.addRxQueue(a, 1));
        assertTrue(w.addRxQueue(b, 0));
        assertFalse(w.addRxQueue(b, 0), "already polled");
        assertFalse(w.addRxQueue(b, 1), "no such queue");
        for (int i = 0; i < 6; i++) {
            a.inject(1, new byte[60]);
        }
        b.inject(0, new byte[60]);
        a.inject(0, new byte[60]); // queue 0 of a is not owned: never received
        assertEquals(5, w.doWork(), "a burst of 4 from a/1 and 1 from b/0");
        assertEquals(List.of(4, 1), recorder.bursts);
        assertEquals(1, recorder.flushes);
        assertEquals(2, w.doWork());
        assertEquals(0, w.doWork());
        assertEquals(3, recorder.flushes, "flush runs every cycle");
        assertEquals(1, a.pendingReceive(0));
        assertTrue(w.removeRxQueue(a, 1));
        assertFalse(w.removeRxQueue(a, 1));
        assertEquals(1, w.rxQueueCount());
        a.close();
        w.onClose();
        assertEquals(512, pool.available(), "the worker's cache went back to the pool on close");
    }

    @Test
    void slowTickRunsEveryNCyclesOrByTimeAndPublishesCounters() {
        Qsbr qsbr = new Qsbr(1);
        Worker w = worker(WorkerConfig.defaults().withTick(10, 1_000_000L), qsbr);
        for (int i = 0; i < 9; i++) {
            w.doWork();
        }
        assertEquals(0, recorder.ticks.size());
        assertEquals(0, counters(w).get("worker.0.cycles"), "nothing published before the first tick");
        long token = qsbr.start();
        assertFalse(qsbr.check(token));
        w.doWork();
        assertEquals(List.of(clock.now), recorder.ticks, "the 10th cycle ticks with the cached clock");
        assertTrue(qsbr.check(token), "the tick reported a quiescent state");
        assertEquals(10, counters(w).get("worker.0.cycles"));
        assertEquals(1, counters(w).get("worker.0.ticks"));
        clock.now += 2_000_000L;
        w.doWork();
        assertEquals(2, recorder.ticks.size(), "1 ms passed: the next cycle ticks although only 1 cycle ran");
        w.onClose();
        assertTrue(qsbr.check(qsbr.start()), "a closed worker is offline");
    }

    @Test
    void commandsAreDrainedBoundedPerTickAndFullQueuesRefuse() {
        Worker w = worker(WorkerConfig.defaults().withTick(1, 1_000_000_000L).withCommands(3, 8), new Qsbr(1));
        int[] applied = new int[1];
        WorkerCommand count = worker -> applied[0]++;
        int accepted = 0;
        while (w.commands().offer(count)) {
            accepted++;
        }
        assertEquals(8, accepted, "a bounded queue refuses when full");
        assertEquals(3, w.doWork(), "one tick applies at most 3 commands (counted as work)");
        assertEquals(3, applied[0]);
        w.doWork();
        w.doWork();
        assertEquals(8, applied[0]);
        assertEquals(8, counters(w).get("worker.0.commands"));
        assertTrue(w.commands().offer(count), "room again");
    }

    @Test
    void rxQueueCommandsChangeWhatIsPolled() {
        Worker w = worker(WorkerConfig.defaults().withTick(1, 1_000_000_000L), new Qsbr(1));
        MemoryPort a = new MemoryPort(0, "a", pool, 1, 64);
        a.inject(0, new byte[60]);
        RxQueueCommand add = RxQueueCommand.add(a, 0);
        assertTrue(w.commands().offer(add));
        assertFalse(add.isDone());
        w.doWork();
        assertTrue(add.isDone() && add.succeeded());
        w.doWork();
        assertEquals(List.of(1), recorder.bursts);
        RxQueueCommand again = RxQueueCommand.add(a, 0);
        w.commands().offer(again);
        w.doWork();
        assertTrue(again.isDone());
        assertFalse(again.succeeded(), "already polled: rejected");
        RxQueueCommand remove = RxQueueCommand.remove(a, 0);
        w.commands().offer(remove);
        w.doWork();
        assertTrue(remove.succeeded());
        a.inject(0, new byte[60]);
        w.doWork();
        assertEquals(List.of(1), recorder.bursts, "no longer polled");
        a.close();
    }

    @Test
    void stallsAreTrackedForBusyCyclesOnly() {
        Worker w = worker(WorkerConfig.defaults().withTick(1, 1_000_000_000L), new Qsbr(1));
        MemoryPort a = new MemoryPort(0, "a", pool, 1, 64);
        w.addRxQueue(a, 0);
        w.doWork();
        clock.now += 50_000_000L; // an idle cycle followed by a long park: not a stall
        w.doWork();
        assertEquals(0, counters(w).get("worker.0.max_cycle_ns"));
        a.inject(0, new byte[60]);
        w.doWork();                // busy
        clock.now += 2_000_000L;   // the busy cycle took 2 ms
        w.doWork();
        Map<String, Long> c = counters(w);
        assertEquals(2_000_000L, c.get("worker.0.max_cycle_ns"));
        assertEquals(1, c.get("worker.0.stalls_over_10us"));
        assertEquals(1, c.get("worker.0.stalls_over_1ms"));
        assertEquals(0, c.get("worker.0.stalls_over_10ms"));
        assertEquals(1, c.get("worker.0.rx_packets"));
        a.close();
    }

    @Test
    void rejectsAnIdOutsideTheQsbr() {
        assertThrows(IllegalArgumentException.class,
                () -> new Worker(2, WorkerConfig.defaults(), pool, recorder, new Qsbr(2), clock));
        assertThrows(IllegalArgumentException.class, () -> WorkerConfig.defaults().withBurstSize(0));
        assertThrows(IllegalArgumentException.class, () -> WorkerConfig.defaults().withCacheCapacity(10));
    }
}
