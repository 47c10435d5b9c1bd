package io.podswitch.graph;

import io.podswitch.neighbor.NeighborCache;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;

import java.lang.foreign.MemorySegment;

/**
 * Resolves next hops for one address family: holds packets whose next hop has no neighbour entry
 * in a small bounded queue, sends a request (ARP request or neighbour solicitation) at most once per
 * retransmit interval per next hop, releases the held packets when the answer is learned, and drops
 * them (counted) when no answer comes before the timeout.
 */
abstract class NeighborResolver {
    static final int HELD = 0;
    static final int QUEUE_FULL = 1;
    static final int NO_SLOT = 2;
    static final int REQUESTS_SENT = 3;
    static final int NO_FRAME = 4;
    static final int NO_SOURCE_ADDRESS = 5;
    static final int RELEASED = 6;
    static final int TIMED_OUT = 7;
    static final int PROBES_SENT = 8;

    final NodeCounters counters;
    final FrameSlab slab;
    final MemorySegment memory;
    final InterfaceTable interfaces;
    final InterfaceOutput output;
    final NeighborCache neighbors;
    final GraphClock clock;
    private final ResolutionQueue queue;
    private final long retransmitNanos;
    private final long timeoutNanos;
    private final long refreshAgeNanos;

    NeighborResolver(String name, GraphContext ctx, NeighborCache neighbors) {
        this.counters = new NodeCounters(name, "held", "queue_full", "no_slot", "requests_sent", "no_frame",
                "no_source_address", "released", "timed_out", "probes_sent");
        this.slab = ctx.slab;
        this.memory = ctx.slab.memory();
        this.interfaces = ctx.interfaces;
        this.output = ctx.output;
        this.neighbors = neighbors;
        this.clock = ctx.clock;
        this.queue = new ResolutionQueue(ctx.config.resolutionSlots(), ctx.config.resolutionDepth());
        this.retransmitNanos = ctx.config.retransmitNanos();
        this.timeoutNanos = ctx.config.resolutionTimeoutNanos();
        this.refreshAgeNanos = ctx.neighbors.refreshAgeNanos();
    }

    /**
     * Writes a request for (high, low) out of {@code iface} into the empty frame: broadcast /
     * solicited-node multicast to resolve, or unicast to {@code knownMac} (≥ 0) to re-confirm.
     * @return false if impossible (no source address)
     */
    abstract boolean buildRequest(int frame, Interface iface, long high, long low, long knownMac);

    /**
     * Called for every packet sent to a learned neighbour (slot {@code slot}): when the entry is
     * getting old, sends a unicast probe, at most one per retransmit interval, so that its answer
     * refreshes the entry before it expires.
     */
    final void confirm(int slot, int port, long high, long low, FrameCache cache) {
        long now = clock.nowNanos;
        if (neighbors.state(slot) != NeighborCache.DYNAMIC || now - neighbors.updatedNanos(slot) < refreshAgeNanos) {
            return;
        }
        long probed = neighbors.probedNanos(slot);
        if (probed != Long.MIN_VALUE && now - probed < retransmitNanos) {
            return;
        }
        neighbors.probed(slot, now);
        long mac = neighbors.mac(slot);
        int frame = cache.allocate();
        if (frame < 0) {
            counters.count(NO_FRAME);
            return;
        }
        Interface iface = interfaces.get(port);
        if (!buildRequest(frame, iface, high, low, mac)) {
            counters.count(NO_SOURCE_ADDRESS);
            cache.free(frame);
            return;
        }
        counters.count(PROBES_SENT);
        output.send(port, frame, cache);
    }

    /** A packet, complete but for its destination MAC, waits for its next hop on {@code port}. */
    final void hold(int frame, int port, long high, long low, FrameCache cache) {
        long now = clock.nowNanos;
        int slot = queue.find(port, high, low);
        if (slot < 0) {
            slot = queue.open(port, high, low, now);
            if (slot < 0) {
                counters.count(NO_SLOT);
                cache.free(frame);
                return;
            }
        }
        if (!queue.add(slot, frame)) {
            counters.count(QUEUE_FULL);
            cache.free(frame);
            return;
        }
        counters.count(HELD);
        if (queue.requests(slot) == 0 || now - queue.lastRequestNanos(slot) >= retransmitNanos) {
            request(slot, cache);
        }
    }

    boolean isPending(int port, long high, long low) {
        return queue.find(port, high, low) >= 0;
    }

    /** A neighbour's MAC became known: release its held packets to the output. */
    final void resolved(int port, long high, long low, long mac, FrameCache cache) {
        int slot = queue.find(port, high, low);
        if (slot < 0) {
            return;
        }
        int n = queue.count(slot);
        for (int i = 0; i < n; i++) {
            int frame = queue.frame(slot, i);
            Bytes.mac(memory, slab.dataStart(frame) + Ethernet.DESTINATION, mac);
            output.send(port, frame, cache);
        }
        counters.count(RELEASED, n);
        queue.close(slot);
    }

    /** Retransmits due requests and drops packets whose next hop never answered. */
    final void housekeeping(FrameCache cache) {
        if (queue.inUse() == 0) {
            return;
        }
        long now = clock.nowNanos;
        for (int slot = 0; slot < queue.slots(); slot++) {
            if (!queue.used(slot)) {
                continue;
            }
            if (now - queue.firstNanos(slot) >= timeoutNanos) {
                int n = queue.count(slot);
                for (int i = 0; i < n; i++) {
                    cache.free(queue.frame(slot, i));
                }
                counters.count(TIMED_OUT, n);
                queue.close(slot);
            } else if (now - queue.lastRequestNanos(slot) >= retransmitNanos) {
                request(slot, cache);
            }
        }
        counters.commit();
    }

    private void request(int slot, FrameCache cache) {
        queue.requested(slot, clock.nowNanos);
        Interface iface = interfaces.get(queue.port(slot));
        int frame = cache.allocate();
        if (frame < 0) {
            counters.count(NO_FRAME);
            return;
        }
        if (!buildRequest(frame, iface, queue.high(slot), queue.low(slot), -1)) {
            counters.count(NO_SOURCE_ADDRESS);
            cache.free(frame);
            return;
        }
        counters.count(REQUESTS_SENT);
        output.send(iface.id(), frame, cache);
    }
}
