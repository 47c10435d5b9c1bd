package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.Icmp4;
import io.podswitch.packet.Ip4;

import java.lang.foreign.MemorySegment;

/**
 * ip4-local: traffic for the switch's own addresses. Answers ICMP echo requests in place (addresses
 * swapped, TTL 64, type 0, checksum updated incrementally) and routes the reply through ip4-lookup;
 * everything else is dropped and counted: the switch runs no IPv4 services on the data path.
 */
final class Ip4LocalNode extends GraphNode {
    static final int UNSUPPORTED_PROTOCOL = 0;
    static final int FRAGMENTED = 1;
    static final int TOO_SHORT = 2;
    static final int BAD_ICMP_CHECKSUM = 3;
    static final int ICMP_TYPE_IGNORED = 4;
    static final int ECHO_REPLIES = 5;

    GraphNode lookup;

    Ip4LocalNode(GraphContext ctx) {
        super("ip4-local", ctx, "unsupported_protocol", "fragmented", "too_short", "bad_icmp_checksum",
                "icmp_type_ignored", "echo_replies");
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
            if (Bytes.u8(m, ip + Ip4.PROTOCOL) != Ip4.PROTOCOL_ICMP) {
                drop(f, UNSUPPORTED_PROTOCOL, cache);
                continue;
            }
            if ((Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT) & (Ip4.FLAG_MF | Ip4.FRAGMENT_OFFSET_MASK)) != 0) {
                drop(f, FRAGMENTED, cache);
                continue;
            }
            int headerLength = (Bytes.u8(m, ip) & 0xf) << 2;
            int icmpLength = Bytes.u16(m, ip + Ip4.TOTAL_LENGTH) - headerLength;
            if (icmpLength < Icmp4.HEADER_LENGTH) {
                drop(f, TOO_SHORT, cache);
                continue;
            }
            long icmp = ip + headerLength;
            if (Checksum.compute(m, icmp, icmpLength) != 0) {
                drop(f, BAD_ICMP_CHECKSUM, cache);
                continue;
            }
            if (Bytes.u8(m, icmp + Icmp4.TYPE) != Icmp4.ECHO_REQUEST) {
                drop(f, ICMP_TYPE_IGNORED, cache);
                continue;
            }
            int src = Bytes.i32(m, ip + Ip4.SOURCE);
            Bytes.i32(m, ip + Ip4.SOURCE, Bytes.i32(m, ip + Ip4.DESTINATION));
            Bytes.i32(m, ip + Ip4.DESTINATION, src);
            Bytes.u8(m, ip + Ip4.TTL, Ip4.DEFAULT_TTL);
            Bytes.u16(m, ip + Ip4.CHECKSUM, 0);
            Bytes.u16(m, ip + Ip4.CHECKSUM, Checksum.compute(m, ip, headerLength));
            int typeCode = Bytes.u16(m, icmp + Icmp4.TYPE);
            int replyTypeCode = Icmp4.ECHO_REPLY << 8 | (typeCode & 0xff);
            Bytes.u16(m, icmp + Icmp4.TYPE, replyTypeCode);
            Bytes.u16(m, icmp + Icmp4.CHECKSUM,
                    Checksum.update(Bytes.u16(m, icmp + Icmp4.CHECKSUM), typeCode, replyTypeCode));
            meta.flags[f] = FrameMetadata.ORIGINATED;
            counters.count(ECHO_REPLIES);
            enqueue(lookup, f, cache);
        }
    }
}
