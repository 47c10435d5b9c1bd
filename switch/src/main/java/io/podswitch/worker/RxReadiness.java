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
 *   ├── tap a, queue 0 fd     cookie slot 0     readable while the TAP's ring holds packets  (gated)
 *   ├── tap b, queue 1 fd     cookie slot 1                                                   (gated)
 *   ├── af_xdp socket fd      cookie slot 2     readable while the RX ring holds descriptors
 *   └── udp socket fds ...    cookie slot 3
 *   queues whose port has no descriptor (memory, generator, pcap): counted, cap each sleep at 1 ms
 * </pre>
 *
 * The same set also drives the awake worker's polling of its <em>gated</em> queues
 * ({@link Port#receivesOnlyWhenReadable}: TAP queues read with {@code read}): once per duty cycle
 * {@link #pollReady} asks {@code epoll_wait(0)} which of them hold packets, and only those are
 * received — one system call per cycle instead of one {@code read} per queue, most of which found
 * nothing (2.4 per forwarded packet with four pods, issue 16). Each watched queue has a slot, its
 * cookie, so a ready event names its (port, queue).
 *
 * Worker thread only, except {@link #doorbell()}'s {@code ring}. Registration happens when the worker
 * takes or releases a queue (commands, start), never per packet; {@link #await} and
 * {@link #pollReady} allocate nothing.
 */
final class RxReadiness implements AutoCloseable {
    private static final long DOORBELL = -1L;
    /** Ready descriptors one {@code epoll_wait} reports; more stay ready (level-triggered) for the next cycle. */
    private static final int EVENTS = 64;

    private final Doorbell doorbell;
    /** The (port, queue) of each slot (a slot's number is its descriptors' cookie); null: free. */
    private final Port[] slotPorts;
    private final int[] slotQueues;
    /** Is the slot's queue received only when epoll reports it ready ({@link #gate})? */
    private final boolean[] slotGated;
    private Epoll epoll;
    private int unwatchable;

    RxReadiness(String owner, int maxQueues) {
        this.doorbell = new Doorbell(owner);
        this.slotPorts = new Port[maxQueues];
        this.slotQueues = new int[maxQueues];
        this.slotGated = new boolean[maxQueues];
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
            return;
        }
        int slot = slotOf(null, 0);
        if (slot < 0) {
            throw new IllegalStateException("no free readiness slot for " + port.name() + " queue " + queue);
        }
        slotPorts[slot] = port;
        slotQueues[slot] = queue;
        slotGated[slot] = false;
        for (int fd : fds) {
            epoll.add(fd, Epoll.EPOLLIN, slot, port.name() + " queue " + queue);
        }
    }

    private int slotOf(Port port, int queue) {
        for (int i = 0; i < slotPorts.length; i++) {
            if (slotPorts[i] == port && (port == null || slotQueues[i] == queue)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Worker thread, after the worker took the queue and settled how it reads it (io_uring or not):
     * decides whether the queue is received only when {@link #pollReady} reports it. @return that decision
     */
    boolean gate(Port port, int queue) {
        int slot = epoll == null ? -1 : slotOf(port, queue);
        if (slot < 0) {
            return false; // not open yet (the worker decides again as it starts), or no descriptor
        }
        slotGated[slot] = port.receivesOnlyWhenReadable(queue);
        return slotGated[slot];
    }

    /**
     * One look ({@code epoll_wait} with timeout 0) at the set: @return how many descriptors are ready;
     * {@link #readyPort}/{@link #readyQueue} name the gated queues among them
     */
    int pollReady() {
        int n = epoll.wait(0);
        return Math.max(n, 0);
    }

    /** The gated queue's port of the {@code i}-th ready descriptor of the last {@link #pollReady}; null: not a gated queue (the doorbell, a queue polled every cycle anyway). */
    Port readyPort(int i) {
        long cookie = epoll.cookie(i);
        return cookie >= 0 && slotGated[(int) cookie] ? slotPorts[(int) cookie] : null;
    }

    /** The queue of {@link #readyPort}{@code (i)}. */
    int readyQueue(int i) {
        return slotQueues[(int) epoll.cookie(i)];
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
            return;
        }
        int slot = slotOf(port, queue);
        if (slot >= 0) {
            slotPorts[slot] = null;
            slotGated[slot] = false;
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
