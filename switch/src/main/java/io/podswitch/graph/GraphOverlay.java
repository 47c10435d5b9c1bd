package io.podswitch.graph;

import io.podswitch.overlay.Decapsulator;
import io.podswitch.overlay.Encapsulator;
import io.podswitch.overlay.OverlayCounters;
import io.podswitch.overlay.PeerTable;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameSlab;

/**
 * One worker's tunnel machinery as the graph uses it: the {@link Encapsulator} behind ENCAP
 * adjacencies (called by ip4-rewrite / ip6-rewrite) and the {@link Decapsulator} behind
 * overlay-decap, sharing this worker's {@link OverlayCounters}.
 *
 * <p>Inner MACs of an encapsulated packet: source = the uplink's MAC (the rewrite node already
 * wrote it), destination = the peer's {@link TunnelPeer#remoteMac()}. The library has no separate
 * "remote router MAC", and the receiving switch ignores the inner destination anyway: overlay-decap
 * overwrites it with its own uplink MAC before the inner frame re-enters ethernet-input.
 */
final class GraphOverlay {
    final PeerTable peers;
    final OverlayCounters counters;
    final Encapsulator encapsulator;
    final Decapsulator decapsulator;
    private final FrameSlab slab;

    GraphOverlay(FrameSlab slab, PeerTable peers) {
        this.slab = slab;
        this.peers = peers;
        this.counters = new OverlayCounters(peers);
        this.encapsulator = new Encapsulator(slab, peers, counters);
        this.decapsulator = new Decapsulator(slab, peers, counters);
    }

    /**
     * Writes the inner destination MAC and wraps frame {@code f} for {@code peerId}; false (frame
     * untouched apart from the MAC, reason counted in {@link OverlayCounters}) when the peer is gone,
     * headroom is short, or offload work is pending (GSO super-frames and partial checksums are not
     * completed before encapsulation yet: they are dropped and counted as offload_pending).
     */
    boolean encapsulate(int f, int peerId) {
        TunnelPeer peer = peers.get(peerId);
        if (peer != null) {
            Bytes.mac(slab.memory(), slab.dataStart(f) + Ethernet.DESTINATION, peer.remoteMac());
        }
        return encapsulator.encapsulate(f, peerId);
    }
}
