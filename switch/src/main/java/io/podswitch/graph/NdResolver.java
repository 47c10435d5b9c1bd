package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.Icmp6;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * IPv6 next-hop resolution: sends a neighbour solicitation to the target's solicited-node multicast
 * group, with our link-layer address as an option (counters "ip6-neighbor.*").
 */
final class NdResolver extends NeighborResolver {
    static final int ND_LENGTH = Icmp6.ND_MIN_LENGTH + Icmp6.LINK_LAYER_OPTION_LENGTH;
    static final int FRAME_LENGTH = Ethernet.HEADER_LENGTH + Ip6.HEADER_LENGTH + ND_LENGTH;

    NdResolver(GraphContext ctx) {
        super("ip6-neighbor", ctx, ctx.neighbors.ip6());
    }

    @Override
    boolean buildRequest(int frame, Interface iface, long high, long low, long knownMac) {
        int source = iface.ip6NdSource();
        if (source < 0) {
            return false;
        }
        // Resolution goes to the target's solicited-node group; a re-confirmation is unicast (RFC 4861 7.3.3).
        boolean unicast = knownMac >= 0;
        long groupLow = Ip6.solicitedNodeLow(low);
        long eth = slab.dataStart(frame);
        Bytes.mac(memory, eth + Ethernet.DESTINATION, unicast ? knownMac : Ethernet.ip6MulticastMac(groupLow));
        Bytes.mac(memory, eth + Ethernet.SOURCE, iface.mac());
        Bytes.u16(memory, eth + Ethernet.TYPE, Ethernet.TYPE_IP6);
        long ip = eth + Ethernet.HEADER_LENGTH;
        writeNdHeader(memory, ip, iface.ip6High(source), iface.ip6Low(source),
                unicast ? high : Ip6.SOLICITED_NODE_HIGH, unicast ? low : groupLow);
        long icmp = ip + Ip6.HEADER_LENGTH;
        Bytes.u8(memory, icmp + Icmp6.TYPE, Icmp6.NEIGHBOR_SOLICITATION);
        Bytes.u8(memory, icmp + Icmp6.CODE, 0);
        Bytes.u16(memory, icmp + Icmp6.CHECKSUM, 0);
        Bytes.i32(memory, icmp + Icmp6.BODY, 0);
        Bytes.i64(memory, icmp + Icmp6.ND_TARGET, high);
        Bytes.i64(memory, icmp + Icmp6.ND_TARGET + 8, low);
        writeLinkLayerOption(memory, icmp + Icmp6.ND_OPTIONS, Icmp6.OPTION_SOURCE_LINK_LAYER, iface.mac());
        finishChecksum(memory, ip, icmp, ND_LENGTH);
        slab.setLength(frame, FRAME_LENGTH);
        return true;
    }

    /** An IPv6 header for a neighbour discovery message (hop limit 255, ICMPv6, {@link #ND_LENGTH}). */
    static void writeNdHeader(MemorySegment m, long ip, long srcHigh, long srcLow, long dstHigh,
                              long dstLow) {
        Bytes.i32(m, ip + Ip6.VERSION_CLASS_FLOW, 0x6000_0000);
        Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH, ND_LENGTH);
        Bytes.u8(m, ip + Ip6.NEXT_HEADER, Ip6.NEXT_HEADER_ICMP6);
        Bytes.u8(m, ip + Ip6.HOP_LIMIT, Icmp6.ND_HOP_LIMIT);
        Bytes.i64(m, ip + Ip6.SOURCE, srcHigh);
        Bytes.i64(m, ip + Ip6.SOURCE + 8, srcLow);
        Bytes.i64(m, ip + Ip6.DESTINATION, dstHigh);
        Bytes.i64(m, ip + Ip6.DESTINATION + 8, dstLow);
    }

    static void writeLinkLayerOption(MemorySegment m, long option, int type, long mac) {
        Bytes.u8(m, option, type);
        Bytes.u8(m, option + 1, 1);
        Bytes.mac(m, option + 2, mac);
    }

    /** Computes the ICMPv6 checksum over the pseudo-header and {@code length} bytes at {@code icmp}. */
    static void finishChecksum(MemorySegment m, long ip, long icmp, int length) {
        Bytes.u16(m, icmp + Icmp6.CHECKSUM, 0);
        long sum = Checksum.pseudoHeader6(m, ip, length, Ip6.NEXT_HEADER_ICMP6);
        Bytes.u16(m, icmp + Icmp6.CHECKSUM, Checksum.finish(Checksum.add(m, icmp, length, sum)));
    }
}
