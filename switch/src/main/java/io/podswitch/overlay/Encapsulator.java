package io.podswitch.overlay;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Wraps an inner Ethernet frame in a peer's outer Ethernet/IP/UDP/VXLAN-or-Geneve headers, in place:
 * the headers go into the frame's headroom ({@link FrameSlab#prepend}), the payload is never copied.
 * Per frame it copies the peer's 50- or 70-byte template and fills the outer lengths, the UDP source
 * port (from {@link FlowHash}) and the checksums:
 * <ul>
 * <li>outer IPv4 header checksum from the template's precomputed sum plus the total length;</li>
 * <li>UDP checksum 0 over IPv4 (allowed by RFC 768 and recommended by RFC 7348 / RFC 8926);</li>
 * <li>UDP checksum computed over IPv6 (RFC 8200 requires it). The zero-checksum exception of
 *     RFC 6935/6936 is not used: every receiver accepts a real checksum, not every receiver accepts
 *     zero, and it costs one read pass over the frame.</li>
 * </ul>
 * One per worker (it owns that worker's {@link OverlayCounters}); allocation free.
 */
public final class Encapsulator {
    /** The largest IP packet (the 16-bit length fields). */
    private static final int MAX_IP_PACKET = 0xffff;
    private final FrameSlab slab;
    private final MemorySegment memory;
    private final PeerTable peers;
    private final OverlayCounters counters;

    public Encapsulator(FrameSlab slab, PeerTable peers, OverlayCounters counters) {
        this.slab = slab;
        this.memory = slab.memory();
        this.peers = peers;
        this.counters = counters;
    }

    /**
     * Encapsulates frame {@code f} for peer {@code peerId}. Returns true on success (the frame now
     * starts with the outer Ethernet header); false when the frame was refused, with the reason
     * counted and the frame unchanged (the caller drops it).
     */
    public boolean encapsulate(int f, int peerId) {
        TunnelPeer peer = peers.get(peerId);
        if (peer == null) {
            counters.encapDrop(EncapDrop.UNKNOWN_PEER);
            return false;
        }
        int inner = slab.length(f);
        if (inner < Ethernet.HEADER_LENGTH) {
            counters.encapDrop(EncapDrop.TOO_SHORT);
            return false;
        }
        if ((slab.offloadFlags(f) & FrameSlab.NEEDS_CSUM) != 0 || slab.gsoType(f) != FrameSlab.GSO_NONE) {
            counters.encapDrop(EncapDrop.OFFLOAD_PENDING);
            return false;
        }
        if (slab.dataOffset(f) < peer.headerLength()) {
            counters.encapDrop(EncapDrop.NO_HEADROOM);
            return false;
        }
        wrap(f, peer, inner, false);
        counters.encapsulated(peerId, inner);
        return true;
    }

    /**
     * Encapsulates TCP super-frame {@code f} whole for a port that segments inside UDP tunnels
     * ({@link io.podswitch.port.PortOffloads#UDP_TUNNEL}): the outer lengths cover the whole super-frame,
     * the GSO type gains the outer family's tunnel bit, and the inner checksum stays partial (each segment's
     * is finished by the segmenter). Over IPv4 the outer UDP checksum is 0 as for every frame; over IPv6 the
     * field gets the outer pseudo-header sum and the frame {@link FrameSlab#UDP_TUNNEL_CSUM}, so every
     * segment gets its real checksum. Refused (counted, frame unchanged) like {@link #encapsulate}, and as
     * {@link EncapDrop#OFFLOAD_PENDING} when the frame is no plain TCP super-frame with a partial checksum or
     * the outer packet would exceed 64 KiB.
     */
    public boolean encapsulateSuperFrame(int f, int peerId) {
        TunnelPeer peer = peers.get(peerId);
        if (peer == null) {
            counters.encapDrop(EncapDrop.UNKNOWN_PEER);
            return false;
        }
        int inner = slab.length(f);
        int gso = slab.gsoType(f) & ~FrameSlab.GSO_ECN;
        if ((gso != FrameSlab.GSO_TCPV4 && gso != FrameSlab.GSO_TCPV6)
                || (slab.offloadFlags(f) & FrameSlab.NEEDS_CSUM) == 0
                || peer.headerLength() - Ethernet.HEADER_LENGTH + inner > MAX_IP_PACKET) {
            counters.encapDrop(EncapDrop.OFFLOAD_PENDING);
            return false;
        }
        if (slab.dataOffset(f) < peer.headerLength()) {
            counters.encapDrop(EncapDrop.NO_HEADROOM);
            return false;
        }
        wrap(f, peer, inner, true);
        slab.setGso(f, slab.gsoType(f) | (peer.isIp6() ? FrameSlab.GSO_UDP_TUNNEL_IPV6 : FrameSlab.GSO_UDP_TUNNEL_IPV4),
                slab.gsoSize(f), slab.gsoHeaderLength(f));
        if (peer.isIp6()) {
            slab.setChecksumOffload(f, slab.offloadFlags(f) | FrameSlab.UDP_TUNNEL_CSUM, slab.csumStart(f),
                    slab.csumOffset(f));
        }
        counters.encapsulated(peerId, inner);
        return true;
    }

    /**
     * Prepends the peer's outer headers to the {@code inner}-byte frame and fills lengths, source port and
     * checksums; for a super-frame the IPv6 UDP checksum field gets the pseudo-header sum (the segmenter's
     * seed) instead of a checksum over data whose inner checksum is not finished yet.
     */
    private void wrap(int f, TunnelPeer peer, int inner, boolean superFrame) {
        int headerLength = peer.headerLength();
        int sourcePort = FlowHash.sourcePort(memory, slab.dataStart(f), inner);
        long p = slab.prepend(f, headerLength);
        MemorySegment.copy(peer.template(), 0, memory, ValueLayout.JAVA_BYTE, p, headerLength);
        long ip = p + Ethernet.HEADER_LENGTH;
        long udp = ip + peer.ipHeaderLength();
        int udpLength = TunnelHeaders.UDP_HEADER_LENGTH + TunnelHeaders.TUNNEL_HEADER_LENGTH + inner;
        Bytes.u16(memory, udp + TunnelHeaders.UDP_SOURCE_PORT, sourcePort);
        Bytes.u16(memory, udp + TunnelHeaders.UDP_LENGTH, udpLength);
        if (peer.isIp6()) {
            Bytes.u16(memory, ip + Ip6.PAYLOAD_LENGTH, udpLength);
            if (superFrame) {
                // Not inverted: the partial sum a CHECKSUM_PARTIAL UDP header carries (udp6_set_csum).
                Bytes.u16(memory, udp + TunnelHeaders.UDP_CHECKSUM, Checksum.fold(peer.fixedSum() + udpLength));
                return;
            }
            long sum = Checksum.add(memory, udp, udpLength, peer.fixedSum() + udpLength);
            int checksum = Checksum.finish(sum);
            // A computed 0 is sent as 0xffff: 0 would mean "no checksum", which IPv6 forbids.
            Bytes.u16(memory, udp + TunnelHeaders.UDP_CHECKSUM, checksum == 0 ? 0xffff : checksum);
        } else {
            int totalLength = Ip4.MIN_HEADER_LENGTH + udpLength;
            Bytes.u16(memory, ip + Ip4.TOTAL_LENGTH, totalLength);
            Bytes.u16(memory, ip + Ip4.CHECKSUM, Checksum.finish(peer.fixedSum() + totalLength));
        }
    }
}
