package io.podswitch.worker;

import io.podswitch.nativeio.Epoll;
import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.NativeException;
import io.podswitch.port.Doorbell;
import io.podswitch.port.Port;

/**
 * What can wake a sleeping worker: an epoll set over the readiness descriptors of the RX queues it
 * polls ({@link Port#readinessFds}, level-triggered) plus its {@link Doorbell} (commands, frames
 * handed over by other workers). Used by the {@code adaptive} idle strategy; a worker with another
 * idle strategy has none.
 *
 * <pre>
 *   epoll set of worker N
 *   ├── doorbell eventfd      cookie DOORBELL   rung by the control thread and other workers
 *   ├── tap a, queue 0 fd     cookie 0          readable while the TAP's ring holds packets
 *   ├── af_xdp socket fd      cookie 0          readable while the RX ring holds descriptors
 *   └── udp socket fds ...    cookie 0
 *   queues whose port has no descriptor (memory, generator, pcap): counted, cap each sleep at 1 ms
 * </pre>
 *
 * Worker thread only, except {@link #doorbell()}'s {@code ring}. Registration happens when the worker
 * takes or releases a queue (commands, start), never per packet; {@link #await} allocates nothing.
 */
final class RxReadiness implements AutoCloseable {
    private static final long DOORBELL = -1L;
    private static final long QUEUE = 0L;
    private static final int EVENTS = 16;

    private final Doorbell doorbell;
    private Epoll epoll;
    private int unwatchable;

    RxReadiness(String owner) {
        this.doorbell = new Doorbell(owner);
    }

    Doorbell doorbell() {
        return doorbell;
    }

    /** Worker thread at start: opens the epoll set and the doorbell, then watches the queues already owned. */
    void open(Port[] ports, int[] queues, int count) {
        if (epoll != null) {
            return;
        }
        epoll = Epoll.create(EVENTS);
        epoll.add(doorbell.open(), Epoll.EPOLLIN, DOORBELL, doorbell.toString());
        for (int i = 0; i < count; i++) {
            register(ports[i], queues[i]);
        }
    }

    /** Worker thread: the worker now polls {@code queue} of {@code port}. */
    void watch(Port port, int queue) {
        port.polledBy(queue, doorbell);
        if (epoll != null) {
            register(port, queue);
        }
    }

    private void register(Port port, int queue) {
        int[] fds = port.readinessFds(queue);
        if (fds.length == 0) {
            unwatchable++;
        }
        for (int fd : fds) {
            epoll.add(fd, Epoll.EPOLLIN, QUEUE, port.name() + " queue " + queue);
        }
    }

    /** Worker thread: the worker no longer polls the queue (before the port may be closed). */
    void unwatch(Port port, int queue) {
        port.polledBy(queue, null);
        if (epoll == null) {
            return;
        }
        int[] fds = port.readinessFds(queue);
        if (fds.length == 0) {
            unwatchable--;
        }
        for (int fd : fds) {
            try {
                epoll.remove(fd, port.name() + " queue " + queue);
            } catch (NativeException e) {
                // Already gone from the set (closed early): nothing left to remove.
                if (e.errno() != Errno.EBADF && e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
        }
    }

    /** Does some polled queue have no descriptor (so a sleep must stay short)? */
    boolean hasUnwatchable() {
        return unwatchable > 0;
    }

    void arm() {
        doorbell.arm();
    }

    void disarm() {
        doorbell.disarm();
    }

    /**
     * Sleeps until a watched queue is readable, the doorbell rings, or {@code timeoutMillis} pass;
     * disarms the doorbell. @return true when the doorbell was among the ready descriptors
     */
    boolean await(int timeoutMillis) {
        int n = epoll.wait(timeoutMillis);
        boolean rang = false;
        for (int i = 0; i < n; i++) {
            rang |= epoll.cookie(i) == DOORBELL;
        }
        if (rang) {
            doorbell.drain();
        }
        doorbell.disarm();
        return rang;
    }

    /** Worker thread as it stops. */
    @Override
    public void close() {
        doorbell.close();
        if (epoll != null) {
            epoll.close();
            epoll = null;
        }
    }
}
