package io.podswitch.port.memory;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;

import java.lang.foreign.MemorySegment;

/**
 * A port made of in-memory queues, for tests and golden packet runs: a test thread injects frames
 * (or byte arrays) into a queue's RX ring and the worker receives them; what the worker transmits
 * lands in the queue's TX ring, where the test takes it out. Each ring is single-producer
 * single-consumer: per queue, one injecting thread and one worker.
 *
 * <pre>
 *   test ── inject() ──► [rx ring q] ── receive(q) ──► worker
 *   test ◄── take()  ─── [tx ring q] ◄── transmit(q) ── worker      (ring full: drop, TX_FULL)
 * </pre>
 *
 * Counters are one {@link SimplePortCounters} (single writer): poll all of a memory port's queues
 * from one worker.
 */
public final class MemoryPort implements Port {
    private final int id;
    private final String name;
    private final FramePool pool;
    private final FrameSlab slab;
    private final SpscIntRing[] rx;
    private final SpscIntRing[] tx;
    private final int mtu;
    private final SimplePortCounters counters = new SimplePortCounters();

    public MemoryPort(int id, String name, FramePool pool, int queues, int ringCapacity) {
        this(id, name, pool, queues, ringCapacity, 1500);
    }

    public MemoryPort(int id, String name, FramePool pool, int queues, int ringCapacity, int mtu) {
        if (queues < 1) {
            throw new IllegalArgumentException("a port needs at least one queue: " + queues);
        }
        this.id = id;
        this.name = name;
        this.pool = pool;
        this.slab = pool.slab();
        this.mtu = mtu;
        this.rx = new SpscIntRing[queues];
        this.tx = new SpscIntRing[queues];
        for (int q = 0; q < queues; q++) {
            rx[q] = new SpscIntRing(ringCapacity);
            tx[q] = new SpscIntRing(ringCapacity);
        }
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int queueCount() {
        return rx.length;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    // ---- test side -------------------------------------------------------------------------------

    /**
     * Copies {@code packet} into a frame from the pool and queues it for reception on {@code queue}.
     * @return false when the pool has no frame or the RX ring is full (nothing is queued)
     * @throws IllegalArgumentException when the packet does not fit a frame after the headroom
     */
    public boolean inject(int queue, byte[] packet) {
        if (packet.length > slab.frameSize() - slab.headroom()) {
            throw new IllegalArgumentException("packet of " + packet.length + " bytes does not fit a frame of "
                    + slab.frameSize() + " with " + slab.headroom() + " bytes headroom");
        }
        int frame = pool.poll();
        if (frame < 0) {
            return false;
        }
        MemorySegment.copy(MemorySegment.ofArray(packet), 0, slab.memory(), slab.dataStart(frame), packet.length);
        slab.setLength(frame, packet.length);
        if (!rx[queue].offer(frame)) {
            pool.offer(frame);
            return false;
        }
        return true;
    }

    /** Queues a frame the caller filled (and owns) for reception. @return false when the ring is full */
    public boolean injectFrame(int queue, int frame) {
        return rx[queue].offer(frame);
    }

    /** The oldest transmitted frame of {@code queue}, now owned by the caller, or -1 when none. */
    public int takeFrame(int queue) {
        return tx[queue].poll();
    }

    /** The oldest transmitted packet's bytes (its frame goes back to the pool), or null when none. */
    public byte[] take(int queue) {
        int frame = tx[queue].poll();
        if (frame < 0) {
            return null;
        }
        byte[] bytes = slab.memory().asSlice(slab.dataStart(frame), slab.length(frame)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        pool.offer(frame);
        return bytes;
    }

    /** Packets waiting to be received on {@code queue}. */
    public int pendingReceive(int queue) {
        return rx[queue].size();
    }

    /** Transmitted packets not yet taken from {@code queue}. */
    public int pendingTransmitted(int queue) {
        return tx[queue].size();
    }

    // ---- worker side -----------------------------------------------------------------------------

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        SpscIntRing ring = rx[queue];
        int room = into.free();
        int n = 0;
        long bytes = 0;
        while (n < room) {
            int frame = ring.poll();
            if (frame < 0) {
                break;
            }
            slab.setInPort(frame, id);
            bytes += slab.length(frame);
            into.add(frame);
            n++;
        }
        if (n > 0) {
            counters.received(n, bytes);
        }
        return n;
    }

    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        SpscIntRing ring = tx[queue];
        int n = from.size();
        int sent = 0;
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            int frame = from.frame(i);
            int length = slab.length(frame);
            if (ring.offer(frame)) {
                sent++;
                bytes += length;
            } else {
                cache.free(frame);
            }
        }
        from.clear();
        if (sent > 0) {
            counters.transmitted(sent, bytes);
        }
        if (sent < n) {
            counters.dropped(PortDropReason.TX_FULL, n - sent);
        }
        return sent;
    }

    /** Returns every frame still queued in either direction to the pool (test thread, workers stopped). */
    @Override
    public void close() {
        for (int q = 0; q < rx.length; q++) {
            drain(rx[q]);
            drain(tx[q]);
        }
    }

    private void drain(SpscIntRing ring) {
        for (int frame = ring.poll(); frame >= 0; frame = ring.poll()) {
            pool.offer(frame);
        }
    }
}
