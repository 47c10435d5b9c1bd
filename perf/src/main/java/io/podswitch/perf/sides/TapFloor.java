package io.podswitch.perf.sides;

import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.perf.bench.side.PodEndpoint;
import io.podswitch.perf.bench.side.SwitchPath;
import io.podswitch.port.Port;
import io.podswitch.port.ring.ThreadRing;
import io.podswitch.port.tap.TapSteering;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A measuring instrument, not a switch: the least any userspace forwarder between two pod TAPs must do
 * on this machine. The pods' TAPs are made exactly as podswitch makes them ({@link TapAttachment}:
 * virtio-net header, checksum/TSO offloads so 64 KiB super-frames cross whole, 1 + N queues with the
 * steering program, podswitch's {@code TapPort} read/write path), and one {@link TapFloorPump} thread
 * per given core moves every frame, untouched, to the other TAP: no graph, no lookup, no rewrite, no
 * spin. The two pods share one subnet, so their ARP passes through as well (testpmd's {@code io} mode).
 * Its throughput beside the Linux bridge's, in the same run, is the ceiling of a TAP data plane here.
 *
 * <pre>
 *   pod a: eth0 (TAP) ◄─ readv ─ [pump thread per core: epoll_wait, readv → writev] ─ writev ─► eth0 (TAP) :pod b
 *   a.ip/len, b.ip/len in one subnet; queues of both TAPs handed to the pumps round-robin
 * </pre>
 */
public final class TapFloor implements SwitchPath {
    private static final int FRAMES_PER_PUMP = 2048;
    private static final int LARGE_FRAMES = 128;

    private final List<Thread> threads;
    private final List<TapFloorPump> pumps;
    private final List<PodAttachment> attached;
    private final FrameSlab slab;
    private final TapSteering steering;
    private final AtomicReference<Throwable> failure;
    private boolean closed;

    private TapFloor(List<Thread> threads, List<TapFloorPump> pumps, List<PodAttachment> attached, FrameSlab slab,
                     TapSteering steering, AtomicReference<Throwable> failure) {
        this.threads = threads;
        this.pumps = pumps;
        this.attached = attached;
        this.slab = slab;
        this.steering = steering;
        this.failure = failure;
    }

    /**
     * Gives each pod a TAP and starts one pump per CPU of {@code cores} (one unpinned pump when empty).
     * The pods' addresses must share a subnet: nothing answers for a gateway.
     */
    public static TapFloor connect(PodEndpoint a, PodEndpoint b, List<Integer> cores) {
        int n = Math.max(1, cores.size());
        FrameSlab slab = FrameSlab.withLargeFrames(Math.max(2, n) * FRAMES_PER_PUMP, LARGE_FRAMES + n * ThreadRing.LARGE_BUFFERS);
        TapSteering steering = TapSteering.load(1 + n);
        List<PodAttachment> attached = new ArrayList<>();
        try {
            attached.add(TapAttachment.open(0, a, steering));
            attached.add(TapAttachment.open(1, b, steering));
            FramePool pool = new FramePool(slab);
            List<List<Integer>> owned = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                owned.add(new ArrayList<>());
            }
            int next = 0;
            for (int port = 0; port < 2; port++) {
                for (int q = 0; q < attached.get(port).port().queueCount(); q++) {
                    owned.get(next).add(port << 16 | q); // round-robin over both ports, as podswitch's workers
                    next = (next + 1) % n;
                }
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<TapFloorPump> pumps = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                List<Integer> mine = owned.get(p);
                Port[] rx = new Port[mine.size()];
                int[] queues = new int[mine.size()];
                Port[] peers = new Port[mine.size()];
                for (int i = 0; i < rx.length; i++) {
                    int port = mine.get(i) >>> 16;
                    rx[i] = attached.get(port).port();
                    queues[i] = mine.get(i) & 0xffff;
                    peers[i] = attached.get(1 - port).port();
                }
                TapFloorPump pump = new TapFloorPump(rx, queues, peers, cores.size() > p ? cores.get(p) : -1, pool, failure);
                Thread t = new Thread(pump, "tap-floor-" + p);
                t.setDaemon(true);
                pumps.add(pump);
                threads.add(t);
            }
            threads.forEach(Thread::start);
            return new TapFloor(threads, pumps, attached, slab, steering, failure);
        } catch (RuntimeException e) {
            L3SwitchPath.release(attached, slab, steering, e);
            throw e;
        }
    }

    /** How many pump threads run. */
    public int pumps() {
        return threads.size();
    }

    @Override
    public long cpuNanos() {
        return WorkerCpuTime.of(threads);
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        pumps.forEach(TapFloorPump::stop);
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        IOException failed = new IOException("closing the TAP floor");
        L3SwitchPath.release(attached, slab, steering, failed);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable pump = failure.get();
        if (pump != null) {
            throw new IOException("TAP floor pump failed while forwarding: " + pump, pump);
        }
        if (failed.getSuppressed().length > 0) {
            throw failed;
        }
    }
}
