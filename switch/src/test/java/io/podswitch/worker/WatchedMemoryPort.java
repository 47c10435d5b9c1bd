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
 * before looking at the ring (so an injection after that look signals again and nothing is missed).
 * One queue; unprivileged, so the adaptive idle strategy can be tested without namespaces.
 */
final class WatchedMemoryPort implements Port {
    private final MemoryPort inner;
    private final EventFd ready = EventFd.create();
    private final int[] fds = {ready.fd()};

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

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        ready.drain();
        return inner.receive(queue, into, cache);
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
