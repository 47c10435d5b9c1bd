package io.podswitch.graph;

import io.podswitch.packet.Arp;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;

/**
 * IPv4 next-hop resolution: broadcasts an ARP request for the next hop, or sends it unicast to the
 * known MAC to re-confirm an ageing entry (RFC 1122 2.3.2.1) (counters "ip4-neighbor.*").
 */
final class ArpResolver extends NeighborResolver {
    static final int FRAME_LENGTH = Ethernet.HEADER_LENGTH + Arp.LENGTH;

    ArpResolver(GraphContext ctx) {
        super("ip4-neighbor", ctx, ctx.neighbors.ip4());
    }

    @Override
    boolean buildRequest(int frame, Interface iface, long high, long low, long knownMac) {
        long eth = slab.dataStart(frame);
        Bytes.mac(memory, eth + Ethernet.DESTINATION, knownMac >= 0 ? knownMac : Ethernet.BROADCAST);
        Bytes.mac(memory, eth + Ethernet.SOURCE, iface.mac());
        Bytes.u16(memory, eth + Ethernet.TYPE, Ethernet.TYPE_ARP);
        long arp = eth + Ethernet.HEADER_LENGTH;
        Bytes.u16(memory, arp + Arp.HARDWARE_TYPE, Arp.HARDWARE_ETHERNET);
        Bytes.u16(memory, arp + Arp.PROTOCOL_TYPE, Ethernet.TYPE_IP4);
        Bytes.u8(memory, arp + Arp.HARDWARE_LENGTH, 6);
        Bytes.u8(memory, arp + Arp.PROTOCOL_LENGTH, 4);
        Bytes.u16(memory, arp + Arp.OPERATION, Arp.REQUEST);
        Bytes.mac(memory, arp + Arp.SENDER_MAC, iface.mac());
        // Without an address of our own on the port the request is a probe (sender 0.0.0.0, RFC 5227).
        Bytes.i32(memory, arp + Arp.SENDER_IP, iface.ip4Count() > 0 ? iface.ip4(0) : 0);
        Bytes.mac(memory, arp + Arp.TARGET_MAC, 0L);
        Bytes.i32(memory, arp + Arp.TARGET_IP, (int) low);
        slab.setLength(frame, FRAME_LENGTH);
        return true;
    }
}
