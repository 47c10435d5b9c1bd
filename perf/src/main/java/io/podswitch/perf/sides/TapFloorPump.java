package io.podswitch.perf.sides;

import io.podswitch.nativeio.Epoll;
import io.podswitch.nativeio.Sched;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One thread of the {@link TapFloor}: sleeps in {@code epoll_wait} on the TAP queues it owns, and for
 * each ready queue receives a burst (podswitch's own {@link Port#receive}: {@code readv} until EAGAIN)
 * and writes it, unchanged, to the other pod's TAP ({@link Port#transmit}: one {@code writev} per frame
 * or per coalesced run). No graph, no lookup, no header rewrite, no spinning: per frame the two tun
 * copies and their system calls, per wake-up one {@code epoll_wait} and one empty {@code readv}.
 * Allocation free once started.
 */
final class TapFloorPump implements Runnable {
    /** How often a sleeping pump looks at its stop flag. */
    private static final int WAIT_MS = 50;
    private static final int BURST = 256;

    private final Port[] rxPorts;
    private final int[] rxQueues;
    private final Port[] peers;
    private final int cpu;
    private final FramePool pool;
    private final AtomicReference<Throwable> failure;
    private volatile boolean running = true;

    /**
     * @param rxPorts  the port of each owned queue
     * @param rxQueues the owned queue numbers
     * @param peers    where a frame received on each owned queue goes
     * @param cpu      the CPU to pin to, or -1
     */
    TapFloorPump(Port[] rxPorts, int[] rxQueues, Port[] peers, int cpu, FramePool pool,
                 AtomicReference<Throwable> failure) {
        this.rxPorts = rxPorts;
        this.rxQueues = rxQueues;
        this.peers = peers;
        this.cpu = cpu;
        this.pool = pool;
        this.failure = failure;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            if (cpu >= 0) {
                Sched.pinCurrentThread(cpu);
            }
            pump();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private void pump() {
        FrameCache cache = new FrameCache(pool, 4 * BURST);
        PacketVector burst = new PacketVector(BURST);
        try (Epoll epoll = Epoll.create(Math.max(1, rxQueues.length))) {
            for (int i = 0; i < rxQueues.length; i++) {
                for (int fd : rxPorts[i].readinessFds(rxQueues[i])) {
                    epoll.add(fd, Epoll.EPOLLIN, i, rxPorts[i].name() + " queue " + rxQueues[i]);
                }
            }
            while (running) {
                int ready = epoll.wait(WAIT_MS);
                if (ready < 0) {
                    throw new IllegalStateException("epoll_wait: errno " + -ready);
                }
                for (int r = 0; r < ready; r++) {
                    int i = (int) epoll.cookie(r);
                    burst.clear();
                    if (rxPorts[i].receive(rxQueues[i], burst, cache) > 0) {
                        peers[i].transmit(0, burst, cache);
                    }
                }
            }
        } finally {
            cache.freeAll(burst);
            cache.flush();
        }
    }
}
