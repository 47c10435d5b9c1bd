package io.podswitch.port;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.ring.ThreadRing;

/**
 * A place packets come from and go to: a TAP, an AF_XDP socket, an in-memory queue, a pcap file, a
 * generator. Ports move bursts, never single packets, and are polled by the worker that owns a
 * queue; one queue is touched by one worker thread only.
 *
 * <p>Ownership: {@link #receive} fills frames drawn from the worker's cache and hands them to the
 * caller; {@link #transmit} takes ownership of every frame in the vector — frames it sends are freed
 * when the kernel or peer is done with them, frames it cannot send (ring full, link down) are freed
 * at once and counted as drops. Neither call allocates, locks or blocks.
 */
public interface Port extends AutoCloseable {
    /** Index of the port in the switch's port table (also stored as a packet's input port). */
    int id();

    String name();

    int queueCount();

    /**
     * Receives up to {@code into.free()} packets from {@code queue}, appending them to {@code into}.
     * @return how many packets were appended
     */
    int receive(int queue, PacketVector into, FrameCache cache);

    /**
     * Transmits every packet in {@code from} on {@code queue} and clears the vector.
     * @return how many packets were accepted for transmission (the rest were dropped and counted)
     */
    int transmit(int queue, PacketVector from, FrameCache cache);

    /** The largest L3 packet (IP header and payload) this port sends without fragmentation. */
    int mtu();

    PortCounters counters();

    /**
     * What the transmit side accepts beyond complete, MTU-sized packets: {@link PortOffloads} bits.
     * The graph's output completes partial checksums and segments GSO frames in software for every
     * offload a port does not declare. Ports without offloads (pcap, AF_XDP, memory) keep this default.
     */
    default int offloads() {
        return PortOffloads.NONE;
    }

    /** {@link #readinessFds} of a port that cannot tell when a queue has packets. */
    int[] NOT_WATCHABLE = {};

    /**
     * Descriptors that are readable (level-triggered {@code EPOLLIN}) while {@code queue} has packets
     * to receive — a TAP queue's descriptor, an AF_XDP or UDP socket — so that an idle worker can
     * sleep in {@code epoll_wait} on the queues it polls instead of polling them (the {@code adaptive}
     * idle strategy, DPDK's Rx interrupt mode). Empty ({@link #NOT_WATCHABLE}, the default: memory,
     * generator, pcap ports) when the port cannot tell: a worker polling such a queue sleeps at most a
     * millisecond at a time. The same array on every call; control side (when a worker takes the queue).
     */
    default int[] readinessFds(int queue) {
        return NOT_WATCHABLE;
    }

    /**
     * Does {@link #receive} on {@code queue} find nothing whenever its {@link #readinessFds} are not
     * readable, and does it need no call for anything else (no ring to refill, no completions to reap)?
     * Then a worker that watches those descriptors in its epoll set calls {@code receive} only when
     * {@code epoll_wait} reports the queue ready, instead of once per duty cycle: an idle queue costs
     * nothing, where polling it cost a system call per cycle that found nothing (a TAP's {@code read}
     * answering EAGAIN — per pod, per cycle). False (the default) keeps the queue polled every cycle:
     * memory, AF_XDP and UDP ports, a TAP queue read through io_uring. Worker thread, when the worker
     * takes the queue or its reading changes ({@link #ringAttached}).
     */
    default boolean receivesOnlyWhenReadable(int queue) {
        return false;
    }

    /**
     * The doorbell of the worker that now polls {@code queue} (null: no worker does any more), told by
     * that worker when it takes or releases the queue. A port whose queue receives work that no
     * descriptor announces — frames other workers hand over for transmission by the poller — rings it
     * after publishing such work, so that a sleeping poller wakes. Most ports ignore it (the default).
     */
    default void polledBy(int queue, Doorbell poller) {
    }

    /**
     * The worker that polls {@code queue} runs an io_uring on its thread; a port that can read through
     * it arms its reads there (a TAP: one multishot read per queue, see {@code TapRingReceiver}) and
     * from then on receives what the ring read. Worker thread: when the worker starts, or takes the
     * queue while running. Most ports ignore it (the default).
     */
    default void ringAttached(int queue, ThreadRing ring) {
    }

    /**
     * Before the worker gives {@code queue} up or stops: cancel what {@link #ringAttached} armed and
     * wait until the kernel holds nothing of the queue any more (then the port may be closed).
     */
    default void ringDetached(int queue, ThreadRing ring) {
    }

    @Override
    void close();
}
