package io.podswitch.overlay;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * The outer UDP source port for an inner frame: a hash of the inner flow mapped into 49152-65535
 * (RFC 7348 section 5), so that underlay ECMP and NIC RSS spread tunnels by inner flow while every
 * packet of one flow takes the same path (no reordering).
 *
 * <p>The flow is the inner 5-tuple (addresses, protocol, and ports for TCP, UDP and SCTP) of IPv4 or
 * IPv6, behind at most one 802.1Q tag. IPv4 fragments hash without ports, so the first fragment (which
 * has them) and the rest (which do not) stay together. Anything else (ARP, truncated headers, other
 * EtherTypes) hashes its MAC addresses and EtherType. Static and allocation free.
 */
public final class FlowHash {
    private static final int PROTOCOL_SCTP = 132;

    private FlowHash() {
    }

    /** The UDP source port in [49152, 65535] for the Ethernet frame at {@code frame}. */
    public static int sourcePort(MemorySegment m, long frame, int length) {
        long h = hash(m, frame, length);
        return TunnelHeaders.SOURCE_PORT_BASE + ((int) (h ^ (h >>> 32)) & TunnelHeaders.SOURCE_PORT_MASK);
    }

    /** The 64-bit flow hash of the frame (callers need not worry about the length; short frames hash 0). */
    static long hash(MemorySegment m, long frame, int length) {
        if (length < Ethernet.HEADER_LENGTH) {
            return 0;
        }
        int l3 = Ethernet.HEADER_LENGTH;
        int type = Bytes.u16(m, frame + Ethernet.TYPE);
        if (type == Ethernet.TYPE_VLAN && length >= Ethernet.HEADER_LENGTH + Ethernet.VLAN_TAG_LENGTH) {
            l3 += Ethernet.VLAN_TAG_LENGTH;
            type = Bytes.u16(m, frame + Ethernet.TYPE + Ethernet.VLAN_TAG_LENGTH);
        }
        long ip = frame + l3;
        int available = length - l3;
        if (type == Ethernet.TYPE_IP4 && available >= Ip4.MIN_HEADER_LENGTH
                && (Bytes.u8(m, ip) >>> 4) == 4) {
            int ihl = (Bytes.u8(m, ip) & 0xf) * 4;
            int protocol = Bytes.u8(m, ip + Ip4.PROTOCOL);
            long addresses = Bytes.i64(m, ip + Ip4.SOURCE);
            boolean fragment = (Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT) & (Ip4.FLAG_MF | Ip4.FRAGMENT_OFFSET_MASK)) != 0;
            int ports = !fragment && ihl >= Ip4.MIN_HEADER_LENGTH && available >= ihl + 4 && hasPorts(protocol)
                    ? Bytes.i32(m, ip + ihl) : 0;
            return PeerTable.mix(PeerTable.mix(addresses) ^ ((long) protocol << 32 | (ports & 0xffff_ffffL)));
        }
        if (type == Ethernet.TYPE_IP6 && available >= Ip6.HEADER_LENGTH && (Bytes.u8(m, ip) >>> 4) == 6) {
            int next = Bytes.u8(m, ip + Ip6.NEXT_HEADER);
            int ports = available >= Ip6.HEADER_LENGTH + 4 && hasPorts(next) ? Bytes.i32(m, ip + Ip6.HEADER_LENGTH) : 0;
            long h = PeerTable.mix(Bytes.i64(m, ip + Ip6.SOURCE));
            h = PeerTable.mix(h ^ Bytes.i64(m, ip + Ip6.SOURCE + 8));
            h = PeerTable.mix(h ^ Bytes.i64(m, ip + Ip6.DESTINATION));
            h = PeerTable.mix(h ^ Bytes.i64(m, ip + Ip6.DESTINATION + 8));
            return PeerTable.mix(h ^ ((long) next << 32 | (ports & 0xffff_ffffL)));
        }
        long macs = PeerTable.mix(Bytes.mac(m, frame + Ethernet.DESTINATION));
        return PeerTable.mix(macs ^ Bytes.mac(m, frame + Ethernet.SOURCE) ^ ((long) type << 48));
    }

    private static boolean hasPorts(int protocol) {
        return protocol == Ip4.PROTOCOL_TCP || protocol == Ip4.PROTOCOL_UDP || protocol == PROTOCOL_SCTP;
    }
}
