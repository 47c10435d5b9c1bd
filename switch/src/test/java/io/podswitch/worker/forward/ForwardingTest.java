package io.podswitch.worker.forward;

import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.port.Port;
import io.podswitch.port.generator.GeneratorPort;
import io.podswitch.port.generator.UdpTemplate;
import io.podswitch.port.memory.MemoryPort;
import io.podswitch.worker.Qsbr;
import io.podswitch.worker.Worker;
import io.podswitch.worker.WorkerConfig;
import io.podswitch.worker.WorkerGroup;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

class ForwardingTest {
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    private static byte[] packet(int port, int seq) {
        byte[] b = new byte[60 + seq % 50];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + seq);
        }
        b[12] = (byte) port;
        b[13] = (byte) (seq >>> 8);
        b[14] = (byte) seq;
        return b;
    }

    @Test
    void ioForwardDeliversPacketsIntactAndInOrderBetweenTwoMemoryPorts() throws Exception {
        try (FrameSlab slab = new FrameSlab(8192)) {
            FramePool pool = new FramePool(slab);
            MemoryPort a = new MemoryPort(0, "a", pool, 1, 4096);
            MemoryPort b = new MemoryPort(1, "b", pool, 1, 4096);
            Worker w = new Worker(0, WorkerConfig.defaults().withBurstSize(32), pool,
                    new IoForward(slab, new Port[] {a, b}, 0, 32), new Qsbr(1));
            w.addRxQueue(a, 0);
            w.addRxQueue(b, 0);
            int n = 2000;
            try (WorkerGroup _ = WorkerGroup.start(List.of(w), Throwable::printStackTrace)) {
                for (int i = 0; i < n; i++) {
                    while (!a.inject(0, packet(0, i))) {
                        Thread.onSpinWait();
                    }
                    while (!b.inject(0, packet(1, i))) {
                        Thread.onSpinWait();
                    }
                }
                await(() -> a.pendingTransmitted(0) == n && b.pendingTransmitted(0) == n, "all packets forwarded");
            }
            for (int i = 0; i < n; i++) {
                assertArrayEquals(packet(0, i), b.take(0), "packet " + i + " from a, out of b");
                assertArrayEquals(packet(1, i), a.take(0), "packet " + i + " from b, out of a");
            }
            assertEquals(n, a.counters().rxPackets());
            assertEquals(n, b.counters().txPackets());
            a.close();
            b.close();
            assertEquals(8192, pool.available());
        }
    }

    @Test
    void macSwapSwapsAddressesAndDropsRunts() throws Exception {
        try (FrameSlab slab = new FrameSlab(1024)) {
            FramePool pool = new FramePool(slab);
            MemoryPort a = new MemoryPort(0, "a", pool, 1, 64);
            MemoryPort b = new MemoryPort(1, "b", pool, 1, 64);
            MacSwap swap = new MacSwap(slab, new Port[] {a, b}, 0, 32);
            Worker w = new Worker(0, WorkerConfig.defaults().withBurstSize(32), pool, swap, new Qsbr(1));
            w.addRxQueue(a, 0);
            byte[] p = packet(0, 1);
            a.inject(0, p);
            a.inject(0, new byte[10]);
            w.onStart();
            w.doWork();
            w.onClose();
            byte[] out = b.take(0);
            for (int i = 0; i < 6; i++) {
                assertEquals(p[6 + i], out[i], "destination is the old source");
                assertEquals(p[i], out[6 + i], "source is the old destination");
            }
            for (int i = 12; i < p.length; i++) {
                assertEquals(p[i], out[i]);
            }
            assertNull(b.take(0), "the 10-byte runt was dropped");
            java.util.Map<String, Long> c = new java.util.HashMap<>();
            swap.visit(c::put);
            assertEquals(1L, c.get("forward.macswap.q0.drop.runt"));
            assertEquals(1024, pool.available());
        }
    }

    @Test
    void generatorThroughMacSwapToSinkCountsAddUp() throws Exception {
        try (FrameSlab slab = new FrameSlab(4096)) {
            FramePool pool = new FramePool(slab);
            UdpTemplate t = UdpTemplate.ipv4(1, 2, 0x0A000001, 0x0A000002, 1000, 2000, 64);
            GeneratorPort g0 = new GeneratorPort(0, "gen0", 1, slab, t, 100, 200_000);
            GeneratorPort g1 = new GeneratorPort(1, "gen1", 1, slab, t, 100, 50_000);
            Worker w = new Worker(0, WorkerConfig.defaults().withBurstSize(64), pool,
                    new MacSwap(slab, new Port[] {g0, g1}, 0, 64), new Qsbr(1));
            w.addRxQueue(g0, 0);
            w.addRxQueue(g1, 0);
            try (WorkerGroup _ = WorkerGroup.start(List.of(w), Throwable::printStackTrace)) {
                await(() -> g1.counters().txPackets() == 200_000 && g0.counters().txPackets() == 50_000, "sinks");
                await(() -> w.publishedRxPackets() == 250_000, "worker counters");
            }
            assertEquals(250_000, w.publishedTxPackets());
            assertEquals(200_000, g0.counters().rxPackets());
            assertEquals(64L * 200_000, g1.counters().txBytes());
            assertEquals(4096, pool.available(), "every generated frame was freed by a sink");
        }
    }

    @Test
    void unpairedPortsAndOddPortListsAreRejectedOrCounted() {
        try (FrameSlab slab = new FrameSlab(64)) {
            FramePool pool = new FramePool(slab);
            MemoryPort a = new MemoryPort(0, "a", pool, 1, 8);
            MemoryPort b = new MemoryPort(1, "b", pool, 1, 8);
            MemoryPort c = new MemoryPort(2, "c", pool, 1, 8);
            assertThrows(IllegalArgumentException.class, () -> new IoForward(slab, new Port[] {a, b, c}, 0, 32));
            assertThrows(IllegalArgumentException.class, () -> new IoForward(slab, new Port[] {a, a}, 0, 32));
            assertThrows(IllegalArgumentException.class, () -> new IoForward(slab, new Port[] {a, b}, 1, 32));
            IoForward io = new IoForward(slab, new Port[] {a, b}, 0, 32);
            Worker w = new Worker(0, WorkerConfig.defaults(), pool, io, new Qsbr(1));
            w.addRxQueue(c, 0);
            c.inject(0, new byte[60]);
            w.onStart();
            w.doWork();
            w.onClose();
            java.util.Map<String, Long> counters = new java.util.HashMap<>();
            io.visit(counters::put);
            assertEquals(1L, counters.get("forward.io.q0.drop.unknown_port"));
            assertEquals(64, pool.available());
        }
    }
}
