package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;

import java.lang.foreign.MemorySegment;

/**
 * ethernet-input: accepts frames addressed to the port's MAC, broadcast, and the IPv6 multicast
 * groups the port has joined (all-nodes and the solicited-node groups of its addresses); removes the
 * 802.1Q tag on ports configured for that VLAN; dispatches by EtherType.
 */
final class EthernetInputNode extends GraphNode {
    static final int TOO_SHORT = 0;
    static final int UNKNOWN_PORT = 1;
    static final int NOT_FOR_US = 2;
    static final int UNWANTED_MULTICAST = 3;
    static final int BAD_SOURCE_MAC = 4;
    static final int VLAN_TAGGED = 5;
    static final int VLAN_MISMATCH = 6;
    static final int UNKNOWN_ETHERTYPE = 7;
    static final int SPOOFED_SOURCE_MAC = 8;

    private static final long ALL_NODES_MAC = Ethernet.ip6MulticastMac(1);
    private static final long SOLICITED_NODE_MAC_PREFIX = 0x3333_ff00_0000L;

    private final InterfaceTable interfaces;
    GraphNode arp;
    GraphNode ip4Input;
    GraphNode ip6Input;
    /** Null when the graph has no overlay. */
    GraphNode overlayDecap;

    EthernetInputNode(GraphContext ctx) {
        super("ethernet-input", ctx, "too_short", "unknown_port", "not_for_us", "unwanted_multicast",
                "bad_source_mac", "vlan_tagged", "vlan_mismatch", "unknown_ethertype", "spoofed_source_mac");
        this.interfaces = ctx.interfaces;
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            if (slab.length(f) < Ethernet.HEADER_LENGTH) {
                drop(f, TOO_SHORT, cache);
                continue;
            }
            Interface iface = interfaces.get(slab.inPort(f));
            if (iface == null) {
                drop(f, UNKNOWN_PORT, cache);
                continue;
            }
            long eth = slab.dataStart(f);
            int type = Bytes.u16(m, eth + Ethernet.TYPE);
            boolean decapsulated = meta.has(f, FrameMetadata.DECAPSULATED);
            if (decapsulated) {
                // An inner frame from overlay-decap: never tagged for the uplink's VLAN, never unwrapped again.
            } else if (type == Ethernet.TYPE_VLAN || type == Ethernet.TYPE_QINQ) {
                if (iface.vlan() == Interface.UNTAGGED || type == Ethernet.TYPE_QINQ) {
                    drop(f, VLAN_TAGGED, cache);
                    continue;
                }
                if (slab.length(f) < Ethernet.HEADER_LENGTH + Ethernet.VLAN_TAG_LENGTH) {
                    drop(f, TOO_SHORT, cache);
                    continue;
                }
                if ((Bytes.u16(m, eth + Ethernet.TYPE + 2) & 0xfff) != iface.vlan()) {
                    drop(f, VLAN_MISMATCH, cache);
                    continue;
                }
                // Pop the tag: slide the two MACs over it.
                MemorySegment.copy(m, eth, m, eth + Ethernet.VLAN_TAG_LENGTH, 12);
                slab.strip(f, Ethernet.VLAN_TAG_LENGTH);
                eth += Ethernet.VLAN_TAG_LENGTH;
                type = Bytes.u16(m, eth + Ethernet.TYPE);
            } else if (iface.vlan() != Interface.UNTAGGED) {
                drop(f, VLAN_MISMATCH, cache);
                continue;
            }
            long dst = Bytes.destinationMac(m, eth);
            byte flags = 0;
            if (dst != iface.mac()) {
                if (dst == Ethernet.BROADCAST || dst == ALL_NODES_MAC
                        || ((dst & 0xffff_ff00_0000L) == SOLICITED_NODE_MAC_PREFIX
                            && (iface.joinedSolicitedNode(dst) || iface.proxiesNeighbors()))) {
                    flags = FrameMetadata.L2_MULTICAST;
                } else if (Ethernet.isMulticast(dst)) {
                    drop(f, UNWANTED_MULTICAST, cache);
                    continue;
                } else {
                    drop(f, NOT_FOR_US, cache);
                    continue;
                }
            }
            long src = Bytes.sourceMac(m, eth);
            if (Ethernet.isMulticast(src)) {
                drop(f, BAD_SOURCE_MAC, cache);
                continue;
            }
            if (!iface.allowsSourceMac(src)) {
                drop(f, SPOOFED_SOURCE_MAC, cache);
                continue;
            }
            meta.flags[f] = flags;
            if (flags == 0 && !decapsulated && overlayDecap != null && iface.uplink()
                    && OverlayDecapNode.isTunnel(m, eth, slab.length(f), type, iface)) {
                enqueue(overlayDecap, f, cache);
            } else if (type == Ethernet.TYPE_IP4) {
                enqueue(ip4Input, f, cache);
            } else if (type == Ethernet.TYPE_IP6) {
                enqueue(ip6Input, f, cache);
            } else if (type == Ethernet.TYPE_ARP) {
                enqueue(arp, f, cache);
            } else {
                drop(f, UNKNOWN_ETHERTYPE, cache);
            }
        }
    }
}
