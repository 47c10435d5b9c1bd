package io.podswitch.overlay;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * Validates a received VXLAN or Geneve frame and strips its outer headers in place
 * ({@link FrameSlab#strip}), leaving the inner Ethernet frame. Checks, in order, each failure counted
 * under its {@link DecapDrop} reason:
 * <ol>
 * <li>outer Ethernet type IPv4 or IPv6, IP version, IPv4 IHL, header checksum, no fragment, protocol
 *     UDP (no IPv6 extension headers), IP and UDP lengths against each other and the frame (Ethernet
 *     padding after the IP packet is allowed and cut off);</li>
 * <li>peer by outer source address, outer destination = the peer's local address, UDP destination
 *     port = the peer's port, UDP checksum (required over IPv6, verified over IPv4 when not 0);</li>
 * <li>VXLAN I flag; Geneve version 0, not a control (O) packet, no critical (C) options, options
 *     inside the packet, protocol type 0x6558; the VNI is the peer's;</li>
 * <li>an inner frame of at least an Ethernet header.</li>
 * </ol>
 * Reads only inside the frame's length, so truncated or garbage input is just counted. The receive
 * offload hints described the outer packet and are cleared — except what a TAP (the {@code tap} uplink)
 * says about the inner packet: a partial inner checksum and a tunnel super-frame's inner TCP
 * segmentation move onto the inner frame, and a frame with a partial checksum or the kernel's
 * "checksums verified" hint has its outer UDP checksum unchecked (the kernel, which built or verified
 * the packet locally, vouches for it; a partial-checksum packet's outer sum cannot be checked before its
 * inner checksum is finished). One per worker; allocation free.
 */
public final class Decapsulator {
    /** Returned by {@link #decapsulate} for a rejected frame. */
    public static final int DROPPED = -1;

    private final FrameSlab slab;
    private final MemorySegment memory;
    private final PeerTable peers;
    private final OverlayCounters counters;

    public Decapsulator(FrameSlab slab, PeerTable peers, OverlayCounters counters) {
        this.slab = slab;
        this.memory = slab.memory();
        this.peers = peers;
        this.counters = counters;
    }

    /**
     * Decapsulates frame {@code f}: returns the id of the peer it came from, the frame now holding the
     * inner Ethernet frame; or {@link #DROPPED}, the frame unchanged and the reason counted.
     */
    public int decapsulate(int f) {
        int reason = check(f);
        if (reason >= 0) {
            counters.decapDrop(reason);
            return DROPPED;
        }
        return -2 - reason;
    }

    // Returns a DecapDrop reason (>= 0), or -2 - peerId after stripping the outer headers.
    private int check(int f) {
        int length = slab.length(f);
        long p = slab.dataStart(f);
        if (length < Ethernet.HEADER_LENGTH) {
            return DecapDrop.TOO_SHORT;
        }
        int type = Bytes.u16(memory, p + Ethernet.TYPE);
        long ip = p + Ethernet.HEADER_LENGTH;
        int ipAvailable = length - Ethernet.HEADER_LENGTH;
        long udp;
        int ipPayload;
        TunnelPeer peer;
        long pseudoSum;
        if (type == Ethernet.TYPE_IP4) {
            if (ipAvailable < Ip4.MIN_HEADER_LENGTH) {
                return DecapDrop.TOO_SHORT;
            }
            int versionIhl = Bytes.u8(memory, ip + Ip4.VERSION_IHL);
            if ((versionIhl >>> 4) != 4) {
                return DecapDrop.NOT_IP;
            }
            int ihl = (versionIhl & 0xf) * 4;
            if (ihl < Ip4.MIN_HEADER_LENGTH) {
                return DecapDrop.BAD_LENGTH;
            }
            if (ipAvailable < ihl) {
                return DecapDrop.TOO_SHORT;
            }
            int totalLength = Bytes.u16(memory, ip + Ip4.TOTAL_LENGTH);
            if (totalLength < ihl) {
                return DecapDrop.BAD_LENGTH;
            }
            if (totalLength > ipAvailable) {
                return DecapDrop.TOO_SHORT;
            }
            if (Checksum.compute(memory, ip, ihl) != 0) {
                return DecapDrop.BAD_CHECKSUM;
            }
            if ((Bytes.u16(memory, ip + Ip4.FLAGS_FRAGMENT) & (Ip4.FLAG_MF | Ip4.FRAGMENT_OFFSET_MASK)) != 0) {
                return DecapDrop.FRAGMENT;
            }
            if (Bytes.u8(memory, ip + Ip4.PROTOCOL) != Ip4.PROTOCOL_UDP) {
                return DecapDrop.NOT_UDP;
            }
            udp = ip + ihl;
            ipPayload = totalLength - ihl;
            if (ipPayload < TunnelHeaders.UDP_HEADER_LENGTH) {
                return DecapDrop.TOO_SHORT;
            }
            int source = Bytes.i32(memory, ip + Ip4.SOURCE);
            peer = peers.findIp4(source);
            if (peer == null) {
                return DecapDrop.UNKNOWN_PEER;
            }
            if (Bytes.i32(memory, ip + Ip4.DESTINATION) != peer.local4()) {
                return DecapDrop.WRONG_DESTINATION;
            }
            pseudoSum = Checksum.add(memory, ip + Ip4.SOURCE, 8, Ip4.PROTOCOL_UDP);
        } else if (type == Ethernet.TYPE_IP6) {
            if (ipAvailable < Ip6.HEADER_LENGTH) {
                return DecapDrop.TOO_SHORT;
            }
            if ((Bytes.u8(memory, ip) >>> 4) != 6) {
                return DecapDrop.NOT_IP;
            }
            ipPayload = Bytes.u16(memory, ip + Ip6.PAYLOAD_LENGTH);
            if (ipPayload > ipAvailable - Ip6.HEADER_LENGTH) {
                return DecapDrop.TOO_SHORT;
            }
            if (Bytes.u8(memory, ip + Ip6.NEXT_HEADER) != Ip6.NEXT_HEADER_UDP) {
                return DecapDrop.NOT_UDP;
            }
            if (ipPayload < TunnelHeaders.UDP_HEADER_LENGTH) {
                return DecapDrop.TOO_SHORT;
            }
            udp = ip + Ip6.HEADER_LENGTH;
            peer = peers.findIp6(Bytes.i64(memory, ip + Ip6.SOURCE), Bytes.i64(memory, ip + Ip6.SOURCE + 8));
            if (peer == null) {
                return DecapDrop.UNKNOWN_PEER;
            }
            if (Bytes.i64(memory, ip + Ip6.DESTINATION) != peer.local6High()
                    || Bytes.i64(memory, ip + Ip6.DESTINATION + 8) != peer.local6Low()) {
                return DecapDrop.WRONG_DESTINATION;
            }
            // The pseudo-header sum does not depend on which address is the source: the peer's own works.
            pseudoSum = peer.fixedSum();
        } else {
            return DecapDrop.NOT_IP;
        }
        int udpLength = Bytes.u16(memory, udp + TunnelHeaders.UDP_LENGTH);
        if (udpLength < TunnelHeaders.UDP_HEADER_LENGTH || udpLength > ipPayload) {
            return DecapDrop.BAD_LENGTH;
        }
        if (Bytes.u16(memory, udp + TunnelHeaders.UDP_DESTINATION_PORT) != peer.port()) {
            return DecapDrop.BAD_PORT;
        }
        int udpChecksum = Bytes.u16(memory, udp + TunnelHeaders.UDP_CHECKSUM);
        boolean kernelVouches = (slab.offloadFlags(f) & (FrameSlab.NEEDS_CSUM | FrameSlab.DATA_VALID)) != 0;
        if (!kernelVouches && (udpChecksum == 0 ? peer.isIp6()
                : Checksum.finish(Checksum.add(memory, udp, udpLength, pseudoSum + udpLength)) != 0)) {
            return DecapDrop.BAD_CHECKSUM;
        }
        int tunnelBytes = udpLength - TunnelHeaders.UDP_HEADER_LENGTH;
        if (tunnelBytes < TunnelHeaders.TUNNEL_HEADER_LENGTH) {
            return DecapDrop.TOO_SHORT;
        }
        long t = udp + TunnelHeaders.UDP_HEADER_LENGTH;
        int tunnelHeaderLength = TunnelHeaders.TUNNEL_HEADER_LENGTH;
        if (peer.mode() == TunnelMode.VXLAN) {
            if ((Bytes.u8(memory, t + TunnelHeaders.FLAGS) & TunnelHeaders.VXLAN_FLAG_I) == 0) {
                return DecapDrop.BAD_FLAGS;
            }
        } else {
            int first = Bytes.u8(memory, t);
            int flags = Bytes.u8(memory, t + 1);
            if ((first >>> TunnelHeaders.GENEVE_VERSION_SHIFT) != 0 || (flags & TunnelHeaders.GENEVE_FLAG_O) != 0) {
                return DecapDrop.BAD_FLAGS;
            }
            tunnelHeaderLength += (first & TunnelHeaders.GENEVE_OPT_LEN_MASK) * 4;
            if ((flags & TunnelHeaders.GENEVE_FLAG_C) != 0 || tunnelHeaderLength > tunnelBytes) {
                return DecapDrop.BAD_GENEVE_OPTIONS;
            }
            if (Bytes.u16(memory, t + TunnelHeaders.PROTOCOL_TYPE) != TunnelHeaders.PROTOCOL_TEB) {
                return DecapDrop.BAD_PROTOCOL;
            }
        }
        if ((Bytes.i32(memory, t + TunnelHeaders.VNI_WORD) >>> 8) != peer.vni()) {
            return DecapDrop.BAD_VNI;
        }
        int inner = tunnelBytes - tunnelHeaderLength;
        if (inner < Ethernet.HEADER_LENGTH) {
            return DecapDrop.TOO_SHORT;
        }
        int outer = (int) (t - p) + tunnelHeaderLength;
        if (!stripKeepingOffloads(f, outer)) {
            return DecapDrop.BAD_OFFLOAD;
        }
        slab.setLength(f, inner);
        counters.decapsulated(peer.id(), inner);
        return -2 - peer.id();
    }

    /**
     * Strips the {@code outer} header bytes. Offload state from a TAP that described the inner packet stays,
     * moved onto the inner frame: a partial checksum on the inner transport header, a tunnel super-frame's
     * inner TCP segmentation (its tunnel bits dropped). Anything about the outer packet is cleared. A
     * super-frame whose partial checksum is not inside the inner packet is refused (false, nothing changed).
     */
    private boolean stripKeepingOffloads(int f, int outer) {
        int gso = slab.gsoType(f);
        boolean innerPartial = (slab.offloadFlags(f) & FrameSlab.NEEDS_CSUM) != 0
                && slab.csumStart(f) >= outer + Ethernet.HEADER_LENGTH;
        if (gso == FrameSlab.GSO_NONE && !innerPartial) {
            slab.clearOffload(f);
            slab.strip(f, outer);
            return true;
        }
        int kind = gso & ~(FrameSlab.GSO_ECN | FrameSlab.GSO_UDP_TUNNEL);
        if (gso != FrameSlab.GSO_NONE && ((gso & FrameSlab.GSO_UDP_TUNNEL) == 0 || !innerPartial
                || (kind != FrameSlab.GSO_TCPV4 && kind != FrameSlab.GSO_TCPV6))) {
            return false;
        }
        slab.setChecksumOffload(f, FrameSlab.NEEDS_CSUM, slab.csumStart(f), slab.csumOffset(f));
        slab.strip(f, outer); // moves csum_start and hdr_len onto the inner frame's bytes
        if (gso != FrameSlab.GSO_NONE) {
            slab.setGso(f, gso & ~FrameSlab.GSO_UDP_TUNNEL, slab.gsoSize(f), slab.gsoHeaderLength(f));
        }
        return true;
    }
}
