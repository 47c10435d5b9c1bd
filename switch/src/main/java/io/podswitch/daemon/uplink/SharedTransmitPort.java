package io.podswitch.daemon.uplink;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameRing;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Doorbell;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.ring.ThreadRing;
import io.podswitch.stats.CounterSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets every worker transmit on a port whose queue accepts one producer only (an AF_XDP TX ring), as
 * the uplink must when pods are spread over several workers. The worker that polls the port's queue 0
 * (the owner: whoever calls {@link #receive} for queue 0; a multi-queue uplink's other queues are polled
 * by other workers, which transmit through the ring) transmits directly; any other worker's frames go through a
 * lock-free ring of frame indices (Vyukov MPMC, {@link FrameRing}) that the owner drains into the real
 * queue before its own frames and at each receive.
 *
 * <pre>
 *   worker 1 ─┐ offer (CAS)                      owner (worker 0)
 *   worker 2 ─┼──► [ frame ring ] ──poll──► transmit(queue 0) ──► AF_XDP TX ring
 *             │                              ▲
 *             └ ring full: freed, counted    └ the owner's own frames, after the ring's
 * </pre>
 *
 * No allocation, lock or syscall beyond the inner port's; a full ring drops and counts
 * ({@code port.<name>.shared_tx_ring_full}). Frames from other workers wait at most one owner
 * duty cycle.
 */
public final class SharedTransmitPort implements Port, CounterSource {
    static final int RING_FRAMES = 4096;
    private static final int DRAIN_BATCHES = 8;

    private final Port inner;
    private final FramePool pool;
    private final FrameRing pending = new FrameRing(RING_FRAMES);
    private final PacketVector drain;
    private final AtomicLong ringFull = new AtomicLong();
    private final String ringFullName;
    /** The thread that polls the port; written by it in {@link #receive}, read by transmitters. */
    private volatile Thread owner;
    /** The doorbell of the worker polling queue 0: rung after queueing frames, in case it sleeps. */
    private volatile Doorbell ownerDoorbell;

    public SharedTransmitPort(Port inner, FramePool pool, int burst) {
        this.inner = inner;
        this.pool = pool;
        this.drain = new PacketVector(burst);
        this.ringFullName = "port." + inner.name() + ".shared_tx_ring_full";
    }

    public Port inner() {
        return inner;
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
        return inner.queueCount();
    }

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        if (queue != 0) {
            // Another receive queue of a multi-queue uplink, polled by another worker: that worker
            // transmits through the ring like any other; only queue 0's poller owns the TX ring.
            return inner.receive(queue, into, cache);
        }
        Thread me = Thread.currentThread();
        if (owner != me) {
            owner = me;
        }
        drainPending(0, cache);
        return inner.receive(0, into, cache);
    }

    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        if (Thread.currentThread() == owner) {
            drainPending(queue, cache);
            return inner.transmit(queue, from, cache);
        }
        int accepted = 0;
        int n = from.size();
        for (int i = 0; i < n; i++) {
            int f = from.frame(i);
            if (pending.offer(f)) {
                accepted++;
            } else {
                cache.free(f);
                ringFull.incrementAndGet();
            }
        }
        from.clear();
        Doorbell doorbell = ownerDoorbell;
        if (accepted > 0 && doorbell != null) {
            // The owner drains the ring when it polls queue 0; if it sleeps (adaptive idling), wake it.
            doorbell.ring();
        }
        return accepted;
    }

    /** Owner only: moves what other workers queued to the real queue, a bounded number of bursts. */
    private void drainPending(int queue, FrameCache cache) {
        for (int batch = 0; batch < DRAIN_BATCHES; batch++) {
            int f;
            while (!drain.isFull() && (f = pending.poll()) >= 0) {
                drain.add(f);
            }
            if (drain.isEmpty()) {
                return;
            }
            inner.transmit(queue, drain, cache);
        }
    }

    /** Frames other workers could not queue (ring full), freed and counted. */
    public long ringFullDrops() {
        return ringFull.get();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public int[] readinessFds(int queue) {
        return inner.readinessFds(queue);
    }

    /** Remembers queue 0's poller: the owner that other workers' frames wait for. */
    @Override
    public void polledBy(int queue, Doorbell poller) {
        if (queue == 0) {
            ownerDoorbell = poller;
        }
        inner.polledBy(queue, poller);
    }

    @Override
    public void ringAttached(int queue, ThreadRing ring) {
        inner.ringAttached(queue, ring);
    }

    @Override
    public void ringDetached(int queue, ThreadRing ring) {
        inner.ringDetached(queue, ring);
    }

    @Override
    public PortCounters counters() {
        return inner.counters();
    }

    @Override
    public int offloads() {
        return inner.offloads();
    }

    @Override
    public void visit(CounterVisitor visitor) {
        if (inner instanceof CounterSource source) {
            source.visit(visitor);
        }
        visitor.counter(ringFullName, ringFull.get());
    }

    /** After the port left the data path: frames still queued go back to the pool, then the inner port closes. */
    @Override
    public void close() {
        int f;
        while ((f = pending.poll()) >= 0) {
            pool.offer(f);
        }
        inner.close();
    }
}
