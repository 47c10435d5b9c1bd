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
            // The fixed 20 bytes (present: available >= 20) in three loads; every field below comes out
            // of these words, and so does the checksum of an option-less header.
            long w0 = Bytes.i64(m, ip);         // version/IHL, TOS, total length, identification, flags/fragment
            long w1 = Bytes.i64(m, ip + 8);     // TTL, protocol, checksum, source
            int dst = Bytes.i32(m, ip + Ip4.DESTINATION);
            int versionIhl = (int) (w0 >>> 56);
            if ((versionIhl >>> 4) != 4) {
                drop(f, BAD_VERSION, cache);
                continue;
            }
            int headerLength = (versionIhl & 0xf) << 2;
            if (headerLength < Ip4.MIN_HEADER_LENGTH) {
                drop(f, BAD_HEADER_LENGTH, cache);
                continue;
            }
            int total = (int) (w0 >>> 32) & 0xffff;
            if (total < headerLength) {
                drop(f, BAD_LENGTH, cache);
                continue;
            }
            if (total > available) {
                drop(f, TRUNCATED, cache);
                continue;
            }
            int sum = headerLength == Ip4.MIN_HEADER_LENGTH
                    ? Checksum.ip4Header(w0, w1, dst)
                    : Checksum.fold(Checksum.add(m, ip, headerLength, 0));
            if (sum != 0xffff) {
                drop(f, BAD_CHECKSUM, cache);
                continue;
            }
            int src = (int) w1;
            if (Ip4.isMartianSource(src)) {
                drop(f, MARTIAN_SOURCE, cache);
                continue;
            }
            if (!interfaces.get(slab.inPort(f)).allowsIp4Source(src)) {
                drop(f, SPOOFED_SOURCE, cache);
                continue;
            }
            if (Ip4.isMulticast(dst) || dst == Ip4.LIMITED_BROADCAST) {
                drop(f, MULTICAST_NOT_ROUTED, cache);
                continue;
            }
            if ((w1 >>> 56) == 0) {
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
