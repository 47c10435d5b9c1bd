package io.podswitch.port.afxdp;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import java.util.concurrent.locks.LockSupport;

/**
 * A test forwarder: every packet received on queue q of one port is sent on queue 0 of the other
 * (testpmd's io mode). Runs on its own thread, owns its frame cache and vectors; stops on {@link #stop}.
 */
final class CrossConnect implements Runnable {
    private final Port a;
    private final Port b;
    private final FramePool pool;
    private volatile boolean running = true;
    private volatile long forwarded;
    private volatile Throwable failure;
    private final Thread thread;

    CrossConnect(Port a, Port b, FramePool pool) {
        this.a = a;
        this.b = b;
        this.pool = pool;
        this.thread = new Thread(this, "cross-connect");
        thread.setDaemon(true);
    }

    CrossConnect start() {
        thread.start();
        return this;
    }

    Thread thread() {
        return thread;
    }

    long forwarded() {
        return forwarded;
    }

    @Override
    public void run() {
        FrameCache cache = new FrameCache(pool, 512);
        PacketVector vector = new PacketVector(64);
        long count = 0;
        try {
            while (running) {
                int work = 0;
                for (int q = 0; q < a.queueCount(); q++) {
                    int n = a.receive(q, vector, cache);
                    if (n > 0) {
                        b.transmit(0, vector, cache);
                    }
                    work += n;
                }
                for (int q = 0; q < b.queueCount(); q++) {
                    int n = b.receive(q, vector, cache);
                    if (n > 0) {
                        a.transmit(0, vector, cache);
                    }
                    work += n;
                }
                if (work == 0) {
                    LockSupport.parkNanos(20_000);
                } else {
                    count += work;
                    forwarded = count;
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            cache.flush();
        }
    }

    /** Stops the thread and rethrows whatever killed it. */
    void stop() throws InterruptedException {
        running = false;
        thread.join(5000);
        if (failure != null) {
            throw new AssertionError("forwarder failed", failure);
        }
    }
}
