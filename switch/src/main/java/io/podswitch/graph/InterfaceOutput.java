package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.ChecksumOffload;
import io.podswitch.packet.PacketVector;
import io.podswitch.packet.TcpSegmenter;
import io.podswitch.port.Port;
import io.podswitch.port.PortOffloads;

import java.lang.foreign.MemorySegment;

/**
 * The end of the graph: one transmit vector per port, buffered across the nodes of a duty cycle and
 * handed to {@code port.transmit} on {@link #flush} (or at once when a vector fills up, as DPDK's
 * l3fwd does with its TX buffers). Pushes the 802.1Q tag for ports that carry a VLAN.
 *
 * <p>Offloads: a packet that arrived unfinished (a GSO super-frame or a partial checksum, from a TAP
 * with offloads) goes out as it is to a port that declares the matching {@link PortOffloads}; for any
 * other port it is finished here in software: the checksum completed in place, a TCP super-frame cut
 * into MSS-sized normal frames by the {@link TcpSegmenter}, a large frame without GSO copied into a
 * normal one. Packets without offload state pay one byte-array read for this.
 */
final class InterfaceOutput {
    static final int UNKNOWN_PORT = 0;
    static final int NO_HEADROOM = 1;
    static final int SOFTWARE_GSO = 2;
    static final int SOFTWARE_CHECKSUM = 3;
    static final int OFFLOAD_FAILED = 4;
    /** Enough for a 64 KiB super-frame cut at the smallest MSS Linux sends over Ethernet (536 bytes). */
    private static final int MAX_SEGMENTS = 128;

    private final FrameSlab slab;
    private final MemorySegment memory;
    private final InterfaceTable interfaces;
    private final int txQueue;
    private final PacketVector[] vectors;
    /** Port ids whose vector holds packets, so a flush visits only those (the table has 1024 slots). */
    private final int[] pending;
    private final boolean[] isPending;
    private int pendingCount;
    private final TcpSegmenter segmenter;
    private final PacketVector segments = new PacketVector(MAX_SEGMENTS);
    final NodeCounters counters = new NodeCounters("interface-output", "unknown_port", "no_headroom",
            "software_gso", "software_checksum", "offload_failed");

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
        this.segmenter = new TcpSegmenter(slab);
        this.pending = new int[interfaces.span()];
        this.isPending = new boolean[interfaces.span()];
    }

    /** The transmit offloads ({@link PortOffloads}) of {@code port}, or none when it is gone. */
    int offloads(int port) {
        Interface iface = interfaces.get(port);
        return iface == null ? PortOffloads.NONE : iface.port().offloads();
    }

    /** Queues an Ethernet frame (untagged) for transmission on {@code port}, finishing offloads the port lacks. */
    void send(int port, int frame, FrameCache cache) {
        Interface iface = interfaces.get(port);
        if (iface == null) {
            counters.count(UNKNOWN_PORT);
            cache.free(frame);
            return;
        }
        if ((slab.offloadFlags(frame) | slab.gsoType(frame)) != 0 || slab.isLarge(frame)) {
            Port p = iface.port();
            int offloads = p.offloads();
            if (!PortOffloads.accepts(offloads, slab, frame) || (slab.isLarge(frame) && offloads == PortOffloads.NONE)) {
                finishInSoftware(port, iface, frame, cache);
                return;
            }
        }
        queue(port, iface, frame, cache);
    }

    private void finishInSoftware(int port, Interface iface, int frame, FrameCache cache) {
        if (slab.gsoType(frame) != FrameSlab.GSO_NONE) {
            int n = segmenter.segment(frame, cache, segments);
            if (n < 0) {
                counters.count(OFFLOAD_FAILED);
                cache.free(frame);
                return;
            }
            counters.count(SOFTWARE_GSO);
            for (int i = 0; i < n; i++) {
                queue(port, iface, segments.frame(i), cache);
            }
            segments.clear();
            return;
        }
        int f = frame;
        if (slab.isLarge(f)) {
            f = segmenter.copyToNormal(f, cache);
            if (f < 0) {
                counters.count(OFFLOAD_FAILED);
                cache.free(frame);
                return;
            }
        }
        if ((slab.offloadFlags(f) & FrameSlab.NEEDS_CSUM) != 0) {
            if (!ChecksumOffload.complete(slab, f)) {
                counters.count(OFFLOAD_FAILED);
                cache.free(f);
                return;
            }
            counters.count(SOFTWARE_CHECKSUM);
        }
        queue(port, iface, f, cache);
    }

    private void queue(int port, Interface iface, int frame, FrameCache cache) {
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
