package io.podswitch.graph;

import io.podswitch.overlay.Decapsulator;
import io.podswitch.overlay.Encapsulator;
import io.podswitch.overlay.OverlayCounters;
import io.podswitch.overlay.PeerTable;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.ChecksumOffload;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.packet.TcpSegmenter;
import io.podswitch.port.PortOffloads;

import java.lang.foreign.MemorySegment;

/**
 * One worker's tunnel machinery as the graph uses it: the {@link Encapsulator} behind ENCAP
 * adjacencies (called by ip4-rewrite / ip6-rewrite) and the {@link Decapsulator} behind
 * overlay-decap, sharing this worker's {@link OverlayCounters}.
 *
 * <p>Inner MACs of an encapsulated packet: source = the uplink's MAC (the rewrite node already
 * wrote it), destination = the peer's {@link TunnelPeer#remoteMac()}. The library has no separate
 * "remote router MAC", and the receiving switch ignores the inner destination anyway: overlay-decap
 * overwrites it with its own uplink MAC before the inner frame re-enters ethernet-input.
 *
 * <p>Offloads: the Encapsulator refuses unfinished frames, so they are finished here first, with the
 * same tools interface-output uses for ports without offloads: a GSO super-frame is cut into
 * MSS-sized segments ({@link TcpSegmenter}) and each segment encapsulated; a large frame that fits a
 * normal one is copied into one (large frames have no headroom to spare); a partial checksum is
 * completed ({@link ChecksumOffload}). Counted under {@code overlay-encap.*}. An uplink that segments
 * inside UDP tunnels itself ({@link PortOffloads#UDP_TUNNEL}: the {@code tap} attachment) gets TCP
 * super-frames whole instead, wrapped by {@link Encapsulator#encapsulateSuperFrame}
 * ({@code overlay-encap.tunnel_gso}).
 */
final class GraphOverlay {
    static final int SOFTWARE_GSO = 0;
    static final int SOFTWARE_CHECKSUM = 1;
    static final int OFFLOAD_FAILED = 2;
    static final int ENCAP_FAILED = 3;
    static final int TUNNEL_GSO = 4;
    private static final int MAX_SEGMENTS = 128;

    final PeerTable peers;
    final OverlayCounters counters;
    final Encapsulator encapsulator;
    final Decapsulator decapsulator;
    final NodeCounters encapCounters = new NodeCounters("overlay-encap", "software_gso", "software_checksum",
            "offload_failed", "encap_failed", "tunnel_gso");
    private final FrameSlab slab;
    private final MemorySegment memory;
    private final TcpSegmenter segmenter;
    private final PacketVector segments = new PacketVector(MAX_SEGMENTS);

    GraphOverlay(FrameSlab slab, PeerTable peers) {
        this.slab = slab;
        this.memory = slab.memory();
        this.peers = peers;
        this.counters = new OverlayCounters(peers);
        this.encapsulator = new Encapsulator(slab, peers, counters);
        this.decapsulator = new Decapsulator(slab, peers, counters);
        this.segmenter = new TcpSegmenter(slab);
    }

    /**
     * Sets the inner destination MAC, finishes pending offloads, wraps frame {@code f} (or each of its
     * GSO segments) for {@code peerId} and queues the result on {@code port}. Frames that cannot be
     * finished or wrapped are freed and counted (the Encapsulator counts its own reasons too).
     */
    void send(int f, int peerId, int port, InterfaceOutput output, FrameCache cache) {
        TunnelPeer peer = peers.get(peerId);
        if (peer != null) {
            Bytes.mac(memory, slab.dataStart(f) + Ethernet.DESTINATION, peer.remoteMac());
        }
        if (slab.gsoType(f) != FrameSlab.GSO_NONE) {
            if ((output.offloads(port) & PortOffloads.UDP_TUNNEL) != 0) {
                // The uplink segments inside the tunnel (the tap attachment): the super-frame goes whole.
                if (encapsulator.encapsulateSuperFrame(f, peerId)) {
                    encapCounters.count(TUNNEL_GSO);
                    output.send(port, f, cache);
                    return;
                }
                // Refused (counted): not a plain TCP super-frame or too long once wrapped; cut it below.
            }
            int n = segmenter.segment(f, cache, segments);
            if (n < 0) {
                encapCounters.count(OFFLOAD_FAILED);
                cache.free(f);
                return;
            }
            encapCounters.count(SOFTWARE_GSO);
            for (int i = 0; i < n; i++) {
                sendOne(segments.frame(i), peerId, port, output, cache);
            }
            segments.clear();
            return;
        }
        int frame = f;
        if (slab.isLarge(frame)) {
            frame = segmenter.copyToNormal(frame, cache);
            if (frame < 0) {
                encapCounters.count(OFFLOAD_FAILED);
                cache.free(f);
                return;
            }
        }
        sendOne(frame, peerId, port, output, cache);
    }

    private void sendOne(int f, int peerId, int port, InterfaceOutput output, FrameCache cache) {
        if ((slab.offloadFlags(f) & FrameSlab.NEEDS_CSUM) != 0) {
            if (!ChecksumOffload.complete(slab, f)) {
                encapCounters.count(OFFLOAD_FAILED);
                cache.free(f);
                return;
            }
            encapCounters.count(SOFTWARE_CHECKSUM);
        }
        if (encapsulator.encapsulate(f, peerId)) {
            output.send(port, f, cache);
        } else {
            encapCounters.count(ENCAP_FAILED);
            cache.free(f);
        }
    }
}
