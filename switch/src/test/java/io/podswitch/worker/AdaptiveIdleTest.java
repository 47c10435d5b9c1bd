package io.podswitch.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.daemon.uplink.SharedTransmitPort;
import io.podswitch.nativeio.Epoll;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Doorbell;
import io.podswitch.port.Port;
import io.podswitch.port.memory.MemoryPort;
import io.podswitch.worker.forward.IoForward;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The adaptive idle strategy on real threads, without privileges: ports whose queues announce packets
 * through an eventfd ({@link WatchedMemoryPort}, as a TAP's descriptor does). The worker's longest
 * sleep is an hour, so whatever reaches it within the tests' deadlines was delivered by a wake-up
 * (epoll on a queue's descriptor, the doorbell), never by a sleep that timed out; and a worker that
 * sleeps runs no duty cycle at all, which the published cycle counter shows. No timing is asserted:
 * deadlines only bound how long a broken wake-up may hang the test.
 */
class AdaptiveIdleTest {
    private static final String HOUR_LONG_SLEEPS = "adaptive:0:3600000";
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    private final FrameSlab slab = new FrameSlab(1024);
    private final FramePool pool = new FramePool(slab);
    private WorkerGroup group;

    @AfterEach
    void close() {
        if (group != null) {
            group.close();
            for (Thread t : group.threads()) {
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        slab.close();
    }

    private Worker start(String idle, Qsbr qsbr, Port... ports) {
        WorkerConfig config = WorkerConfig.defaults().withBurstSize(32).withIdleStrategy(idle);
        Worker w = new Worker(0, config, pool, new IoForward(slab, ports, 0, 32), qsbr);
        for (Port p : ports) {
            w.addRxQueue(p, 0);
        }
        group = WorkerGroup.start(List.of(w), Throwable::printStackTrace);
        return w;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "within 10 s: " + what);
            Thread.sleep(1);
        }
    }

    /** Waits until the worker sleeps: its doorbell is armed and its cycle count stands still for 50 ms. */
    private static void awaitAsleep(Worker w) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NS;
        while (true) {
            long cycles = w.publishedCycles();
            Thread.sleep(50);
            if (w.sleeping() && w.publishedCycles() == cycles) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "within 10 s: the worker goes to sleep");
        }
    }

    private static byte[] packet(int marker) {
        byte[] p = new byte[64];
        p[0] = 0x02;
        p[20] = (byte) marker;
        return p;
    }

    @Test
    void anIdleWorkerSleepsAndOnePacketWakesIt() throws Exception {
        WatchedMemoryPort a = new WatchedMemoryPort(new MemoryPort(0, "a", pool, 1, 64));
        WatchedMemoryPort b = new WatchedMemoryPort(new MemoryPort(1, "b", pool, 1, 64));
        Worker w = start(HOUR_LONG_SLEEPS, new Qsbr(1), a, b);
        long sleepsBefore = -1;
        for (int i = 0; i < 5; i++) {
            awaitAsleep(w);
            long sleeps = w.publishedSleeps();
            assertTrue(sleeps > sleepsBefore, "slept again after packet " + (i - 1));
            sleepsBefore = sleeps;
            long cycles = w.publishedCycles();
            Thread.sleep(100);
            assertEquals(cycles, w.publishedCycles(), "a sleeping worker runs no duty cycle (no spinning, no polling)");
            assertTrue(a.inject(packet(i)));
            int marker = i;
            await(() -> b.inner().pendingTransmitted(0) > 0, "packet " + marker + " forwarded: epoll on port a's descriptor woke the worker");
            byte[] out = b.inner().take(0);
            assertEquals((byte) i, out[20]);
        }
        assertEquals(5, a.counters().rxPackets());
    }

    @Test
    void anAwakeWorkerReceivesOnlyTheQueuesEpollReportsReady() throws Exception {
        WatchedMemoryPort a = new WatchedMemoryPort(new MemoryPort(0, "a", pool, 1, 1024));
        WatchedMemoryPort b = new WatchedMemoryPort(new MemoryPort(1, "b", pool, 1, 1024));
        WatchedMemoryPort idle1 = new WatchedMemoryPort(new MemoryPort(2, "idle1", pool, 1, 64));
        WatchedMemoryPort idle2 = new WatchedMemoryPort(new MemoryPort(3, "idle2", pool, 1, 64));
        // Spins a second after each packet: awake and cycling the whole time the packets flow.
        Worker w = start("adaptive:1000000000:3600000", new Qsbr(1), a, b, idle1, idle2);
        await(() -> w.publishedCycles() > 0, "the worker runs");
        long before = w.publishedCycles();
        int packets = 300; // more than one burst of 32 at a time: a left-over queue stays ready
        for (int i = 0; i < packets; i++) {
            while (!a.inject(packet(i))) {
                Thread.onSpinWait();
            }
        }
        await(() -> b.inner().pendingTransmitted(0) == packets, "all " + packets + " forwarded a -> b");
        // Let the awake worker cycle over its idle queues for a while: none of them may be polled.
        long cyclesSoFar = w.publishedCycles();
        await(() -> w.publishedCycles() > cyclesSoFar + 1000, "a thousand more cycles while spinning");
        assertTrue(w.publishedCycles() - before > 1000);
        assertEquals(0, idle1.receiveCalls(), "an idle gated queue is never read: epoll does not report it");
        assertEquals(0, idle2.receiveCalls());
        assertEquals(0, b.receiveCalls(), "b only transmits");
        assertTrue(a.receiveCalls() >= packets / 32 && a.receiveCalls() <= 2L * packets,
                "a is read when ready, a burst at a time: " + a.receiveCalls() + " calls");
        assertEquals(packets, a.counters().rxPackets());
        assertEquals(4, w.gatedQueueCount(), "every watched queue that receives only when readable is gated");
    }

    @Test
    void aCommandWakesASleepingWorkerThroughItsDoorbell() throws Exception {
        WatchedMemoryPort a = new WatchedMemoryPort(new MemoryPort(0, "a", pool, 1, 64));
        WatchedMemoryPort b = new WatchedMemoryPort(new MemoryPort(1, "b", pool, 1, 64));
        Worker w = start(HOUR_LONG_SLEEPS, new Qsbr(1), a, b);
        for (int i = 0; i < 3; i++) {
            awaitAsleep(w);
            AtomicBoolean applied = new AtomicBoolean();
            assertTrue(w.commands().offer(worker -> applied.set(true)));
            await(applied::get, "command " + i + " applied: the doorbell woke the worker");
        }
        java.util.Map<String, Long> counters = new java.util.HashMap<>();
        awaitAsleep(w);
        w.visit(counters::put);
        assertTrue(counters.get("worker.0.doorbell_wakeups") >= 3, counters.toString());
    }

    @Test
    void framesHandedOverThroughASharedTransmitPortWakeItsOwner() throws Exception {
        WatchedMemoryPort up = new WatchedMemoryPort(new MemoryPort(0, "up", pool, 1, 64));
        SharedTransmitPort shared = new SharedTransmitPort(up, pool, 32);
        WatchedMemoryPort pod = new WatchedMemoryPort(new MemoryPort(1, "pod", pool, 1, 64));
        Worker w = start(HOUR_LONG_SLEEPS, new Qsbr(1), shared, pod);
        FrameCache cache = new FrameCache(pool, 64);
        PacketVector out = new PacketVector(8);
        for (int i = 0; i < 3; i++) {
            awaitAsleep(w);
            int f = cache.allocate();
            slab.setLength(f, 64);
            slab.memory().set(java.lang.foreign.ValueLayout.JAVA_BYTE, slab.dataStart(f), (byte) i);
            out.add(f);
            // This thread is not the port's owner: the frame waits in the shared ring, the doorbell rings.
            assertEquals(1, shared.transmit(0, out, cache));
            int marker = i;
            await(() -> up.inner().pendingTransmitted(0) > 0,
                    "frame " + marker + " left through the sleeping owner: the doorbell woke it");
            assertEquals((byte) i, up.inner().take(0)[0]);
        }
        cache.flush();
    }

    @Test
    void aSleepingWorkerDoesNotHoldUpGracePeriods() throws Exception {
        WatchedMemoryPort a = new WatchedMemoryPort(new MemoryPort(0, "a", pool, 1, 64));
        WatchedMemoryPort b = new WatchedMemoryPort(new MemoryPort(1, "b", pool, 1, 64));
        Qsbr qsbr = new Qsbr(1);
        Worker w = start(HOUR_LONG_SLEEPS, qsbr, a, b);
        awaitAsleep(w);
        long cycles = w.publishedCycles();
        assertTrue(qsbr.synchronize(5, TimeUnit.SECONDS), "QSBR-offline while asleep: the grace period ends without it");
        assertEquals(cycles, w.publishedCycles(), "... and without waking it");
        assertTrue(a.inject(packet(7)));
        await(() -> a.counters().rxPackets() == 1, "the worker wakes and comes back online");
        assertTrue(qsbr.synchronize(5, TimeUnit.SECONDS));
    }

    @Test
    void aQueueWithoutDescriptorKeepsSleepsShort() throws Exception {
        MemoryPort plain = new MemoryPort(0, "plain", pool, 1, 64);
        WatchedMemoryPort b = new WatchedMemoryPort(new MemoryPort(1, "b", pool, 1, 64));
        Worker w = start(HOUR_LONG_SLEEPS, new Qsbr(1), plain, b);
        await(() -> w.publishedSleeps() > 2, "the worker sleeps (1 ms at a time)");
        assertTrue(plain.inject(0, packet(3)));
        await(() -> b.inner().pendingTransmitted(0) > 0, "forwarded: with a queue it cannot watch the worker sleeps 1 ms at most");
    }

    @Test
    void theDoorbellWritesItsEventfdOnlyWhileArmedAndOncePerSleep() {
        try (Doorbell bell = new Doorbell("test"); Epoll epoll = Epoll.create(2)) {
            bell.ring(); // not open yet: nothing to do, nothing to fail
            epoll.add(bell.open(), Epoll.EPOLLIN, 1, "bell");
            bell.ring();
            assertEquals(0, epoll.wait(0), "an awake owner is not signalled");
            bell.arm();
            bell.ring();
            bell.ring();
            assertEquals(1, epoll.wait(0), "armed: signalled");
            bell.drain();
            assertEquals(0, epoll.wait(0), "... once: the second ring found it rung");
            bell.disarm();
            bell.ring();
            assertEquals(0, epoll.wait(0), "disarmed again");
            bell.arm();
            bell.ring();
            assertEquals(1, epoll.wait(0), "the next sleep is signalled again");
        }
    }

    @Test
    void adaptiveNeedsAWorker() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> IdleStrategies.create("adaptive"));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains("Worker.newIdleStrategy"), e.getMessage());
    }
}
