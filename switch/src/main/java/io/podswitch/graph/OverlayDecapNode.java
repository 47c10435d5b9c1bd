package io.podswitch.graph;

import io.podswitch.overlay.Decapsulator;
import io.podswitch.overlay.TunnelMode;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * overlay-decap: tunnel frames that ethernet-input found on an uplink (unicast to the uplink's MAC,
 * UDP to 4789 or 6081, addressed to one of the uplink's own addresses — see {@link #isTunnel}). The
 * {@link Decapsulator} validates and strips the outer headers (failures counted under
 * {@code overlay.decap.drop.<reason>} and here as {@code dropped}); the inner frame gets the uplink's
 * MAC as destination and goes back to ethernet-input as if received on the uplink, flagged
 * {@link FrameMetadata#DECAPSULATED} so it is neither VLAN-checked nor unwrapped a second time, and is
 * then routed like any packet (TTL − 1, out to the local pod).
 */
final class OverlayDecapNode extends GraphNode {
    static final int DROPPED = 0;

    private final InterfaceTable interfaces;
    private final GraphOverlay overlay;
    GraphNode ethernetInput;

    OverlayDecapNode(GraphContext ctx) {
        super("overlay-decap", ctx, "dropped");
        this.interfaces = ctx.interfaces;
        this.overlay = ctx.overlay;
    }

    /** Is this (untagged, unicast-to-us) frame UDP to a tunnel port and to one of {@code iface}'s addresses? */
    static boolean isTunnel(MemorySegment m, long eth, int length, int type, Interface iface) {
        long ip = eth + Ethernet.HEADER_LENGTH;
        int available = length - Ethernet.HEADER_LENGTH;
        long udp;
        if (type == Ethernet.TYPE_IP4) {
            if (available < Ip4.MIN_HEADER_LENGTH) {
                return false;
            }
            int ihl = (Bytes.u8(m, ip) & 0xf) * 4;
            if (ihl < Ip4.MIN_HEADER_LENGTH || available < ihl + 4
                    || Bytes.u8(m, ip + Ip4.PROTOCOL) != Ip4.PROTOCOL_UDP
                    || (Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT) & Ip4.FRAGMENT_OFFSET_MASK) != 0
                    || !iface.ownsIp4(Bytes.i32(m, ip + Ip4.DESTINATION))) {
                return false;
            }
            udp = ip + ihl;
        } else if (type == Ethernet.TYPE_IP6) {
            if (available < Ip6.HEADER_LENGTH + 4
                    || Bytes.u8(m, ip + Ip6.NEXT_HEADER) != Ip6.NEXT_HEADER_UDP
                    || !iface.ownsIp6(Bytes.i64(m, ip + Ip6.DESTINATION), Bytes.i64(m, ip + Ip6.DESTINATION + 8))) {
                return false;
            }
            udp = ip + Ip6.HEADER_LENGTH;
        } else {
            return false;
        }
        int port = Bytes.u16(m, udp + 2);
        return port == TunnelMode.VXLAN.defaultPort() || port == TunnelMode.GENEVE.defaultPort();
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        Decapsulator decap = overlay.decapsulator;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            if (decap.decapsulate(f) == Decapsulator.DROPPED) {
                drop(f, DROPPED, cache);
                continue;
            }
            Interface iface = interfaces.get(slab.inPort(f));
            if (iface == null) {
                drop(f, DROPPED, cache);
                continue;
            }
            Bytes.mac(m, slab.dataStart(f) + Ethernet.DESTINATION, iface.mac());
            meta.flags[f] = FrameMetadata.DECAPSULATED;
            enqueue(ethernetInput, f, cache);
        }
    }
}
