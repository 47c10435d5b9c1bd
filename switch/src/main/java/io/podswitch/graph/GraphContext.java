package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.fib.Ip4Lookup;
import io.podswitch.fib.Ip6Lookup;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.packet.FrameSlab;

/** What every node of one worker's graph shares (tables, per-frame metadata, clock, output). */
final class GraphContext {
    final FrameSlab slab;
    final InterfaceTable interfaces;
    final Ip4Lookup fib4;
    final Ip6Lookup fib6;
    final AdjacencyTable adjacencies;
    final NeighborTable neighbors;
    final FrameMetadata meta;
    final GraphClock clock = new GraphClock();
    final TokenBucket icmpBucket;
    final int vectorCapacity;
    final L3GraphConfig config;
    final InterfaceOutput output;
    /** The worker's tunnel encap/decap, or null when the node has no overlay. */
    final GraphOverlay overlay;

    GraphContext(FrameSlab slab, InterfaceTable interfaces, Ip4Lookup fib4, Ip6Lookup fib6,
                 AdjacencyTable adjacencies, NeighborTable neighbors, int txQueue, L3GraphConfig config,
                 io.podswitch.overlay.PeerTable peers) {
        this.slab = slab;
        this.interfaces = interfaces;
        this.fib4 = fib4;
        this.fib6 = fib6;
        this.adjacencies = adjacencies;
        this.neighbors = neighbors;
        this.meta = new FrameMetadata(slab.totalFrameCount());
        this.icmpBucket = new TokenBucket(config.icmpErrorsPerSecond(), config.icmpErrorBurst());
        this.vectorCapacity = config.vectorCapacity();
        this.config = config;
        this.output = new InterfaceOutput(slab, interfaces, txQueue, config.vectorCapacity());
        this.overlay = peers == null ? null : new GraphOverlay(slab, peers);
    }
}
