package io.podswitch.port.tap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.port.Port;
import io.podswitch.worker.Qsbr;
import io.podswitch.worker.RxQueueCommand;
import io.podswitch.worker.Worker;
import io.podswitch.worker.WorkerConfig;
import io.podswitch.worker.WorkerGroup;
import io.podswitch.worker.forward.IoForward;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Two pods ({@link TapPodPair}, one queue each) cabled by one worker (io forwarding) whose TAP I/O goes
 * through its io_uring, with the default (adaptive) idle strategy; plus the request/response helpers
 * the ring tests share. {@link #close} stops the worker (its armed reads are cancelled) and removes
 * the pods.
 */
final class RingWorkerPods implements AutoCloseable {
    final FrameSlab slab = FrameSlab.withLargeFrames(4096, 64);
    final TapPodPair pods;
    final Worker worker;
    final WorkerGroup group;

    RingWorkerPods(String prefix, boolean offloads) {
        TapPodPair made = null;
        WorkerGroup started = null;
        try {
            made = TapPodPair.create(prefix, 1, null, offloads);
            FramePool pool = new FramePool(slab);
            WorkerConfig config = WorkerConfig.defaults().withIoUring(true);
            worker = new Worker(0, config, pool, new IoForward(slab, new Port[] {made.portA(), made.portB()}, 0, 256),
                    new Qsbr(1));
            worker.addRxQueue(made.portA(), 0);
            worker.addRxQueue(made.portB(), 0);
            started = WorkerGroup.start(List.of(worker), Throwable::printStackTrace);
        } catch (RuntimeException e) {
            if (made != null) {
                made.close();
            }
            slab.close();
            throw e;
        }
        this.pods = made;
        this.group = started;
    }

    /** Runs {@code command} on the worker and waits until it applied it (its writes are then visible here). */
    /** Bounds a wait for something that must happen (a hang), never how fast it happens. */
    static final int HANG_SECONDS = 60;

    void run(RxQueueCommand command) throws InterruptedException {
        assertTrue(worker.commands().offer(command));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_SECONDS);
        while (!command.isDone()) {
            assertTrue(System.nanoTime() < deadline, command + " not applied within " + HANG_SECONDS + " s");
            Thread.sleep(1);
        }
        assertTrue(command.succeeded(), command + " rejected");
    }

    /** A no-op command round trip: afterwards the worker's earlier writes are visible to this thread. */
    void sync() throws InterruptedException {
        AtomicBoolean done = new AtomicBoolean();
        assertTrue(worker.commands().offer(w -> done.set(true)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_SECONDS);
        while (!done.get()) {
            assertTrue(System.nanoTime() < deadline, "the worker did not apply a command within " + HANG_SECONDS + " s");
            Thread.sleep(1);
        }
    }

    /** Answers every datagram on {@code channel} with itself until the channel is closed (a daemon thread). */
    static void startEcho(DatagramChannel channel) {
        Thread.ofPlatform().daemon().name("echo").start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(2048);
            try {
                channel.configureBlocking(true);
                while (true) {
                    buf.clear();
                    java.net.SocketAddress from = channel.receive(buf);
                    buf.flip();
                    channel.send(buf, from);
                }
            } catch (java.io.IOException closed) {
                // the test closed the channel
            }
        });
    }

    /**
     * {@code n} request/response exchanges, one at a time; returns how many were answered, each waited
     * for up to {@link #HANG_SECONDS} (a hang bound: a loaded machine only makes an answer late).
     */
    static int exchange(DatagramChannel client, InetSocketAddress to, int n, int first) throws Exception {
        return exchange(client, to, n, first, TimeUnit.SECONDS.toNanos(HANG_SECONDS));
    }

    /** As above, each answer waited for {@code waitNanos} (for a check that expects none). */
    static int exchange(DatagramChannel client, InetSocketAddress to, int n, int first, long waitNanos)
            throws Exception {
        ByteBuffer out = ByteBuffer.allocate(200);
        ByteBuffer in = ByteBuffer.allocate(2048);
        int answered = 0;
        for (int i = first; i < first + n; i++) {
            out.clear();
            out.putInt(0, i);
            client.send(out, to);
            long deadline = System.nanoTime() + waitNanos;
            boolean got = false;
            while (!got && System.nanoTime() < deadline) {
                in.clear();
                if (client.receive(in) != null) {
                    got = in.position() >= 4 && in.getInt(0) == i;
                } else {
                    Thread.yield(); // 2 shared cores: leave them to the worker and the echo thread
                }
            }
            answered += got ? 1 : 0;
        }
        return answered;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            group.close();
            for (Thread t : group.threads()) {
                t.join(5_000);
            }
        } finally {
            try {
                pods.close();
            } finally {
                slab.close();
            }
        }
    }
}
