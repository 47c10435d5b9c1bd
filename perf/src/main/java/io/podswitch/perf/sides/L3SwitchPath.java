package io.podswitch.perf.sides;

import io.podswitch.packet.FrameSlab;
import io.podswitch.perf.bench.side.SwitchPath;
import io.podswitch.port.tap.TapSteering;
import io.podswitch.worker.WorkerGroup;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A running {@link L3SwitchPathSide} path: its worker, the two pod attachments and the frame slab. */
final class L3SwitchPath implements SwitchPath {
    private final WorkerGroup group;
    private final List<PodAttachment> attached;
    private final FrameSlab slab;
    private final TapSteering steering;
    private final AtomicReference<Throwable> workerFailure;
    private final List<Thread> threads;
    private boolean closed;

    L3SwitchPath(WorkerGroup group, List<PodAttachment> attached, FrameSlab slab, TapSteering steering,
                 AtomicReference<Throwable> workerFailure) {
        this.group = group;
        this.attached = List.copyOf(attached);
        this.slab = slab;
        this.steering = steering;
        this.workerFailure = workerFailure;
        this.threads = group.threads();
    }

    /** The worker threads forwarding between the pods. */
    int workers() {
        return threads.size();
    }

    /** The switch's port of pod {@code i} (0 or 1). */
    io.podswitch.port.Port port(int i) {
        return attached.get(i).port();
    }

    @Override
    public long cpuNanos() {
        return WorkerCpuTime.of(threads);
    }

    /** Stops the worker, removes both pod interfaces (and the veths), frees the slab. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        group.close();
        IOException failure = new IOException("closing the podswitch path");
        release(attached, slab, steering, failure);
        Throwable worker = workerFailure.get();
        if (worker != null) {
            failure.initCause(worker);
            throw new IOException("podswitch worker failed while forwarding: " + worker, worker);
        }
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    /** Closes the attachments (last first), the steering program and the slab; errors are added to {@code cause}. */
    static void release(List<PodAttachment> attached, FrameSlab slab, TapSteering steering, Exception cause) {
        for (int i = attached.size() - 1; i >= 0; i--) {
            try {
                attached.get(i).close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
        if (steering != null) {
            steering.close();
        }
        slab.close();
    }
}
