package io.podswitch.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.port.Port;
import io.podswitch.port.tap.TapPodPair;
import io.podswitch.worker.forward.IoForward;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A worker sleeping on an idle node wakes for one packet: two pods on TAPs, cabled by a worker (io
 * forwarding) whose adaptive idle strategy spins 0 ns and sleeps up to an hour. The worker is let fall
 * asleep (doorbell armed, duty cycles stopped) before each datagram, so every datagram that arrives was
 * carried by a wake-up on the sending pod's TAP descriptor — a sleep that timed out cannot explain it
 * within the 10 s the test waits. Namespaces and TAPs are removed, also on failure.
 */
@Tag("privileged")
class AdaptiveWakeupPrivilegedTest {
    private FrameSlab slab;
    private TapPodPair pods;
    private WorkerGroup group;
    private Worker worker;

    @BeforeEach
    void build() {
        slab = new FrameSlab(1024);
        pods = TapPodPair.create("psa", 1, null);
        FramePool pool = new FramePool(slab);
        WorkerConfig config = WorkerConfig.defaults().withBurstSize(32).withIdleStrategy("adaptive:0:3600000");
        Port[] ports = {pods.portA(), pods.portB()};
        worker = new Worker(0, config, pool, new IoForward(slab, ports, 0, 32), new Qsbr(1));
        worker.addRxQueue(pods.portA(), 0);
        worker.addRxQueue(pods.portB(), 0);
        group = WorkerGroup.start(List.of(worker), Throwable::printStackTrace);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        try {
            if (group != null) {
                group.close();
                for (Thread t : group.threads()) {
                    t.join(5_000);
                }
            }
        } finally {
            if (pods != null) {
                pods.close();
            }
            slab.close();
        }
    }

    /** Doorbell armed and no duty cycle for 50 ms: the worker sleeps in epoll_wait. */
    private void awaitAsleep() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long cycles = worker.publishedCycles();
            Thread.sleep(50);
            if (worker.sleeping() && worker.publishedCycles() == cycles) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the worker did not fall asleep within 10 s");
        }
    }

    private static void awaitDatagram(DatagramChannel channel, ByteBuffer buf, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (channel.receive(buf) == null) {
            assertTrue(System.nanoTime() < deadline, what + " not delivered within 10 s: the sleeping worker was not woken");
            Thread.sleep(1);
        }
    }

    @Test
    void aSleepingWorkerWakesForEachPacket() throws Exception {
        try (DatagramChannel a = pods.udp(true, 41001); DatagramChannel b = pods.udp(false, 41002)) {
            InetSocketAddress toA = new InetSocketAddress(TapPodPair.IP_A, 41001);
            InetSocketAddress toB = new InetSocketAddress(TapPodPair.IP_B, 41002);
            ByteBuffer buf = ByteBuffer.allocate(2048);
            long sleepsBefore = -1;
            for (int i = 0; i < 5; i++) {
                awaitAsleep();
                assertTrue(worker.publishedSleeps() > sleepsBefore, "asleep again before datagram " + i);
                sleepsBefore = worker.publishedSleeps();
                a.send(ByteBuffer.wrap(new byte[] {(byte) i}), toB);
                buf.clear();
                awaitDatagram(b, buf, "datagram " + i + " A → B");
                assertEquals(i, buf.get(0));
                awaitAsleep();
                b.send(ByteBuffer.wrap(new byte[] {(byte) (100 + i)}), toA);
                buf.clear();
                awaitDatagram(a, buf, "reply " + i + " B → A");
                assertEquals(100 + i, buf.get(0));
            }
            assertTrue(worker.publishedSleeps() >= 10, "slept before every packet: " + worker.publishedSleeps());
            assertTrue(pods.portA().counters().rxPackets() >= 5, "A sent the five datagrams");
            assertTrue(pods.portB().counters().rxPackets() >= 5, "B sent the five replies");
        }
    }
}
