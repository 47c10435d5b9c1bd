package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * ip6-input: validates the IPv6 header: length of the frame, version, payload length against the
 * frame, a sane source; removes Ethernet padding. Multicast destinations are not routed: ICMPv6 to
 * a multicast group (neighbour discovery) goes to the nd node, the rest is dropped and counted.
 */
final class Ip6InputNode extends GraphNode {
    static final int TOO_SHORT = 0;
    static final int BAD_VERSION = 1;
    static final int TRUNCATED = 2;
    static final int MARTIAN_SOURCE = 3;
    static final int MULTICAST_NOT_ROUTED = 4;
    static final int HOP_LIMIT_ZERO = 5;
    static final int SPOOFED_SOURCE = 6;

    GraphNode lookup;
    GraphNode nd;

    private final InterfaceTable interfaces;

    Ip6InputNode(GraphContext ctx) {
        super("ip6-input", ctx, "too_short", "bad_version", "truncated", "martian_source", "multicast_not_routed",
                "hop_limit_zero", "spoofed_source");
        this.interfaces = ctx.interfaces;
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            int available = slab.length(f) - Ethernet.HEADER_LENGTH;
            if (available < Ip6.HEADER_LENGTH) {
                drop(f, TOO_SHORT, cache);
                continue;
            }
            long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
            if ((Bytes.u8(m, ip + Ip6.VERSION_CLASS_FLOW) >>> 4) != 6) {
                drop(f, BAD_VERSION, cache);
                continue;
            }
            int total = Ip6.HEADER_LENGTH + Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH);
            if (total > available) {
                drop(f, TRUNCATED, cache);
                continue;
            }
            long srcHigh = Bytes.i64(m, ip + Ip6.SOURCE);
            long srcLow = Bytes.i64(m, ip + Ip6.SOURCE + 8);
            long dstHigh = Bytes.i64(m, ip + Ip6.DESTINATION);
            long dstLow = Bytes.i64(m, ip + Ip6.DESTINATION + 8);
            boolean multicast = Ip6.isMulticast(dstHigh);
            // The unspecified source is legal only for duplicate address detection (to a multicast group).
            if (Ip6.isMulticast(srcHigh) || Ip6.isLoopback(srcHigh, srcLow) || Ip6.isLoopback(dstHigh, dstLow)
                    || (!multicast && Ip6.isUnspecified(srcHigh, srcLow))) {
                drop(f, MARTIAN_SOURCE, cache);
                continue;
            }
            if (!interfaces.get(slab.inPort(f)).allowsIp6Source(srcHigh, srcLow)) {
                drop(f, SPOOFED_SOURCE, cache);
                continue;
            }
            if (Bytes.u8(m, ip + Ip6.HOP_LIMIT) == 0) {
                drop(f, HOP_LIMIT_ZERO, cache);
                continue;
            }
            if (total < available) {
                slab.setLength(f, Ethernet.HEADER_LENGTH + total);
            }
            if (multicast) {
                if (Bytes.u8(m, ip + Ip6.NEXT_HEADER) == Ip6.NEXT_HEADER_ICMP6) {
                    enqueue(nd, f, cache);
                } else {
                    drop(f, MULTICAST_NOT_ROUTED, cache);
                }
                continue;
            }
            enqueue(lookup, f, cache);
        }
    }
}
