package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;

import java.lang.foreign.MemorySegment;

/**
 * The end of the graph: one transmit vector per port, buffered across the nodes of a duty cycle and
 * handed to {@code port.transmit} on {@link #flush} (or at once when a vector fills up, as DPDK's
 * l3fwd does with its TX buffers). Pushes the 802.1Q tag for ports that carry a VLAN.
 */
final class InterfaceOutput {
    static final int UNKNOWN_PORT = 0;
    static final int NO_HEADROOM = 1;

    private final FrameSlab slab;
    private final MemorySegment memory;
    private final InterfaceTable interfaces;
    private final int txQueue;
    private final PacketVector[] vectors;
    /** Port ids whose vector holds packets, so a flush visits only those (the table has 1024 slots). */
    private final int[] pending;
    private final boolean[] isPending;
    private int pendingCount;
    final NodeCounters counters = new NodeCounters("interface-output", "unknown_port", "no_headroom");

    InterfaceOutput(FrameSlab slab, InterfaceTable interfaces, int txQueue, int capacity) {
        this.slab = slab;
        this.memory = slab.memory();
        this.interfaces = interfaces;
        this.txQueue = txQueue;
        // Every port id gets its vector now: ports come and go while the worker runs, and the worker
        // must not allocate when one appears.
        this.vectors = new PacketVector[interfaces.span()];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = new PacketVector(capacity);
        }
        this.pending = new int[interfaces.span()];
        this.isPending = new boolean[interfaces.span()];
    }

    /** Queues a finished Ethernet frame (untagged) for transmission on {@code port}. */
    void send(int port, int frame, FrameCache cache) {
        Interface iface = interfaces.get(port);
        if (iface == null) {
            counters.count(UNKNOWN_PORT);
            cache.free(frame);
            return;
        }
        int vlan = iface.vlan();
        if (vlan != Interface.UNTAGGED) {
            long start = slab.prepend(frame, Ethernet.VLAN_TAG_LENGTH);
            if (start < 0) {
                counters.count(NO_HEADROOM);
                cache.free(frame);
                return;
            }
            MemorySegment.copy(memory, start + Ethernet.VLAN_TAG_LENGTH, memory, start, 12);
            Bytes.u16(memory, start + Ethernet.TYPE, Ethernet.TYPE_VLAN);
            Bytes.u16(memory, start + Ethernet.TYPE + 2, vlan);
        }
        PacketVector v = vectors[port];
        if (v.isFull()) {
            transmit(iface, v, cache);
        }
        if (!isPending[port]) {
            isPending[port] = true;
            pending[pendingCount++] = port;
        }
        v.add(frame);
    }

    private int transmit(Interface iface, PacketVector v, FrameCache cache) {
        int n = v.size();
        counters.vector(n);
        iface.port().transmit(txQueue, v, cache);
        v.clear();
        return n;
    }

    /** Hands every buffered vector to its port. @return packets handed over */
    int flush(FrameCache cache) {
        int sent = 0;
        for (int p = 0; p < pendingCount; p++) {
            int port = pending[p];
            isPending[port] = false;
            PacketVector v = vectors[port];
            if (v.isEmpty()) {
                continue; // flushed early when it filled up, and not refilled
            }
            Interface iface = interfaces.get(port);
            if (iface == null) {
                // The port was removed after these packets were queued.
                counters.count(UNKNOWN_PORT, v.size());
                cache.freeAll(v);
                continue;
            }
            sent += transmit(iface, v, cache);
        }
        pendingCount = 0;
        counters.commit();
        return sent;
    }
}
