package io.podswitch.daemon.metrics;

import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.peers.PeerManager;
import io.podswitch.daemon.peers.PeerView;
import io.podswitch.overlay.DecapDrop;
import io.podswitch.overlay.EncapDrop;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * Between nodes: per peer (label {@code peer}: the remote node's name) packets and bytes encapsulated
 * towards it and decapsulated from it, its state; and the overlay's drops by direction and reason —
 * drops like an unknown VNI or an unknown sender cannot be pinned on one peer.
 */
final class OverlayMetrics implements MultiCollector {
    private final SwitchEngine engine;
    private final PeerManager peers;

    /** @param peers null on a single-node daemon (then only the drop counters, all zero, appear) */
    OverlayMetrics(SwitchEngine engine, PeerManager peers) {
        this.engine = engine;
        this.peers = peers;
    }

    @Override
    public MetricSnapshots collect() {
        Families f = new Families();
        Family packets = f.counter("podswitch_peer_packets", "Packets tunnelled to (encap) or from (decap) a peer node.",
                "peer", "direction");
        Family bytes = f.counter("podswitch_peer_bytes", "Bytes tunnelled to (encap) or from (decap) a peer node.",
                "peer", "direction");
        Family state = f.gauge("podswitch_peer_state", "1 for the peer's current state (resolved, unresolved, ...).",
                "peer", "state", "mode");
        Family drops = f.counter("podswitch_overlay_drops", "Overlay packets dropped, by direction and reason.",
                "direction", "reason");
        if (peers != null) {
            for (PeerView p : peers.views()) {
                packets.add(p.encapPackets(), p.name(), "encap");
                packets.add(p.decapPackets(), p.name(), "decap");
                bytes.add(p.encapBytes(), p.name(), "encap");
                bytes.add(p.decapBytes(), p.name(), "decap");
                state.add(1, p.name(), p.state(), p.mode());
            }
        }
        for (int r = 0; r < EncapDrop.COUNT; r++) {
            drops.add(engine.overlayDrops(true, r), "encap", EncapDrop.name(r));
        }
        for (int r = 0; r < DecapDrop.COUNT; r++) {
            drops.add(engine.overlayDrops(false, r), "decap", DecapDrop.name(r));
        }
        return f.build();
    }
}
