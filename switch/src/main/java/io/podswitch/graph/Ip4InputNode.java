package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.Ip4;

import java.lang.foreign.MemorySegment;

/**
 * ip4-input: validates the IPv4 header (RFC 1812 5.2.2): length of the frame, version, header
 * length, total length against the frame, header checksum (options included), a unicast source;
 * removes Ethernet padding. Fragments and options pass through untouched. TTL is checked in
 * ip4-rewrite, because a packet for the switch itself may arrive with TTL 1.
 */
final class Ip4InputNode extends GraphNode {
    static final int TOO_SHORT = 0;
    static final int BAD_VERSION = 1;
    static final int BAD_HEADER_LENGTH = 2;
    static final int BAD_LENGTH = 3;
    static final int TRUNCATED = 4;
    static final int BAD_CHECKSUM = 5;
    static final int MARTIAN_SOURCE = 6;
    static final int MULTICAST_NOT_ROUTED = 7;
    static final int TTL_ZERO = 8;
    static final int SPOOFED_SOURCE = 9;

    GraphNode lookup;

    private final InterfaceTable interfaces;

    Ip4InputNode(GraphContext ctx) {
        super("ip4-input", ctx, "too_short", "bad_version", "bad_header_length", "bad_length", "truncated",
                "bad_checksum", "martian_source", "multicast_not_routed", "ttl_zero", "spoofed_source");
        this.interfaces = ctx.interfaces;
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            int available = slab.length(f) - Ethernet.HEADER_LENGTH;
            if (available < Ip4.MIN_HEADER_LENGTH) {
                drop(f, TOO_SHORT, cache);
                continue;
            }
            long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
            int versionIhl = Bytes.u8(m, ip + Ip4.VERSION_IHL);
            if ((versionIhl >>> 4) != 4) {
                drop(f, BAD_VERSION, cache);
                continue;
            }
            int headerLength = (versionIhl & 0xf) << 2;
            if (headerLength < Ip4.MIN_HEADER_LENGTH) {
                drop(f, BAD_HEADER_LENGTH, cache);
                continue;
            }
            int total = Bytes.u16(m, ip + Ip4.TOTAL_LENGTH);
            if (total < headerLength) {
                drop(f, BAD_LENGTH, cache);
                continue;
            }
            if (total > available) {
                drop(f, TRUNCATED, cache);
                continue;
            }
            if (Checksum.ip4Header(m, ip, headerLength) != 0xffff) {
                drop(f, BAD_CHECKSUM, cache);
                continue;
            }
            int src = Bytes.i32(m, ip + Ip4.SOURCE);
            if (Ip4.isMartianSource(src)) {
                drop(f, MARTIAN_SOURCE, cache);
                continue;
            }
            if (!interfaces.get(slab.inPort(f)).allowsIp4Source(src)) {
                drop(f, SPOOFED_SOURCE, cache);
                continue;
            }
            int dst = Bytes.i32(m, ip + Ip4.DESTINATION);
            if (Ip4.isMulticast(dst) || dst == Ip4.LIMITED_BROADCAST) {
                drop(f, MULTICAST_NOT_ROUTED, cache);
                continue;
            }
            if (Bytes.u8(m, ip + Ip4.TTL) == 0) {
                drop(f, TTL_ZERO, cache);
                continue;
            }
            if (total < available) {
                slab.setLength(f, Ethernet.HEADER_LENGTH + total);
            }
            enqueue(lookup, f, cache);
        }
    }
}
