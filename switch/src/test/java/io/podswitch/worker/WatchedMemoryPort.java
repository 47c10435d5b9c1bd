package io.podswitch.worker;

import io.podswitch.nativeio.EventFd;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.memory.MemoryPort;

/**
 * A {@link MemoryPort} whose queue announces packets like a TAP does: an eventfd, readable while
 * packets wait, is its readiness descriptor. {@link #inject} signals it; {@link #receive} clears it
 * before looking at the ring (so an injection after that look signals again and nothing is missed)
 * and signals it again when it left packets behind (a full burst). Like a TAP read with {@code read},
 * it {@linkplain #receivesOnlyWhenReadable receives only when readable}, so a worker may skip it
 * until epoll reports it; {@link #receiveCalls} counts the worker's calls. One queue; unprivileged,
 * so the adaptive idle strategy can be tested without namespaces.
 */
final class WatchedMemoryPort implements Port {
    private final MemoryPort inner;
    private final EventFd ready = EventFd.create();
    private final int[] fds = {ready.fd()};
    private final java.util.concurrent.atomic.AtomicLong receiveCalls = new java.util.concurrent.atomic.AtomicLong();

    WatchedMemoryPort(MemoryPort inner) {
        this.inner = inner;
    }

    MemoryPort inner() {
        return inner;
    }

    /** Injects a packet and makes the readiness descriptor readable. */
    boolean inject(byte[] packet) {
        boolean ok = inner.inject(0, packet);
        ready.signal();
        return ok;
    }

    /** Queues a frame the caller owns and makes the readiness descriptor readable (allocation free). */
    boolean injectFrame(int frame) {
        boolean ok = inner.injectFrame(0, frame);
        ready.signal();
        return ok;
    }

    /** How often a worker called {@link #receive} (any thread). */
    long receiveCalls() {
        return receiveCalls.get();
    }

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        receiveCalls.lazySet(receiveCalls.get() + 1);
        ready.drain();
        int n = inner.receive(queue, into, cache);
        if (inner.pendingReceive(queue) > 0) {
            ready.signal();
        }
        return n;
    }

    @Override
    public boolean receivesOnlyWhenReadable(int queue) {
        return true;
    }

    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        return inner.transmit(queue, from, cache);
    }

    @Override
    public int[] readinessFds(int queue) {
        return fds;
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
        ready.close();
    }
}
