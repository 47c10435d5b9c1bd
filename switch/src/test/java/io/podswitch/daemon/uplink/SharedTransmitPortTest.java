package io.podswitch.daemon.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.memory.MemoryPort;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Three workers transmit on one single-producer port (a {@link MemoryPort}, whose TX ring is SPSC like
 * an AF_XDP TX ring): the owner directly, two others through the shared ring. Every frame comes out
 * exactly once, or is counted as dropped — nothing is lost silently or sent twice.
 */
class SharedTransmitPortTest {
    private static final int PER_THREAD = 20_000;

    @Test
    void everyWorkersFramesLeaveOnceThroughTheOwner() throws Exception {
        FrameSlab slab = new FrameSlab(16384);
        try {
            FramePool pool = new FramePool(slab);
            MemoryPort inner = new MemoryPort(3, "up", pool, 1, 8192);
            SingleProducerCheck checked = new SingleProducerCheck(inner);
            SharedTransmitPort shared = new SharedTransmitPort(checked, pool, 64);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            // Thread 0 owns the port (it polls receive); 1 and 2 only transmit.
            for (int t = 0; t < 3; t++) {
                int worker = t;
                threads.add(Thread.ofPlatform().name("worker-" + t).start(() -> {
                    FrameCache cache = new FrameCache(pool, 256);
                    PacketVector out = new PacketVector(32);
                    PacketVector in = new PacketVector(32);
                    int done = 0;
                    while (done < PER_THREAD || (worker == 0 && !stop.get())) {
                        if (worker == 0) {
                            shared.receive(0, in, cache);
                        }
                        while (done < PER_THREAD && !out.isFull()) {
                            int f = cache.allocate();
                            if (f < 0) {
                                break;
                            }
                            slab.setLength(f, 64);
                            slab.memory().set(ValueLayout.JAVA_INT_UNALIGNED, slab.dataStart(f), worker << 24 | done);
                            out.add(f);
                            done++;
                        }
                        sent.addAndGet(out.size());
                        shared.transmit(0, out, cache);
                        Thread.onSpinWait();
                    }
                    cache.flush();
                }));
            }
            boolean[][] seen = new boolean[3][PER_THREAD];
            long taken = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                int f = inner.takeFrame(0);
                if (f < 0) {
                    long dropped = shared.ringFullDrops() + inner.counters().drops(PortDropReason.TX_FULL);
                    if (!threads.get(1).isAlive() && !threads.get(2).isAlive() && taken + dropped == 3L * PER_THREAD) {
                        break;
                    }
                    Thread.onSpinWait();
                    continue;
                }
                int marker = slab.memory().get(ValueLayout.JAVA_INT_UNALIGNED, slab.dataStart(f));
                int worker = marker >>> 24;
                int index = marker & 0xffffff;
                assertTrue(!seen[worker][index], "frame " + worker + "/" + index + " sent twice");
                seen[worker][index] = true;
                taken++;
                pool.offer(f);
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
            long dropped = shared.ringFullDrops() + inner.counters().drops(PortDropReason.TX_FULL);
            assertEquals(3L * PER_THREAD, sent.get());
            assertEquals(3L * PER_THREAD, taken + dropped, "taken " + taken + ", dropped " + dropped);
            assertTrue(taken > 0);
            assertEquals(0, checked.overlaps.get(), "two threads were inside the inner port's transmit at once");
            shared.close();
        } finally {
            slab.close();
        }
    }

    /** Counts calls of transmit that overlap another thread's (each lingers a little to widen the window). */
    private static final class SingleProducerCheck implements Port {
        final AtomicLong overlaps = new AtomicLong();
        private final AtomicBoolean busy = new AtomicBoolean();
        private final MemoryPort inner;

        SingleProducerCheck(MemoryPort inner) {
            this.inner = inner;
        }

        @Override
        public int transmit(int queue, PacketVector from, FrameCache cache) {
            if (!busy.compareAndSet(false, true)) {
                overlaps.incrementAndGet();
                return inner.transmit(queue, from, cache);
            }
            for (int i = 0; i < 200; i++) {
                Thread.onSpinWait();
            }
            int n = inner.transmit(queue, from, cache);
            busy.set(false);
            return n;
        }

        @Override
        public int id() {
            return inner.id();
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int queueCount() {
            return 1;
        }

        @Override
        public int receive(int queue, PacketVector into, FrameCache cache) {
            return inner.receive(queue, into, cache);
        }

        @Override
        public int mtu() {
            return inner.mtu();
        }

        @Override
        public PortCounters counters() {
            return inner.counters();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
