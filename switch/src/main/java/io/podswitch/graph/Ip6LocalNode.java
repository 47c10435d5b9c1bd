package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.Icmp6;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * ip6-local: traffic for the switch's own addresses. Verifies the ICMPv6 checksum, answers echo
 * requests in place (addresses swapped — the pseudo-header sum is unchanged —, hop limit 64, type
 * 129, checksum updated incrementally) and routes the reply through ip6-lookup; hands unicast
 * neighbour solicitations and advertisements to nd; drops and counts everything else.
 */
final class Ip6LocalNode extends GraphNode {
    static final int UNSUPPORTED_PROTOCOL = 0;
    static final int TOO_SHORT = 1;
    static final int BAD_CHECKSUM = 2;
    static final int ICMP_TYPE_IGNORED = 3;
    static final int ECHO_REPLIES = 4;

    GraphNode lookup;
    GraphNode nd;

    Ip6LocalNode(GraphContext ctx) {
        super("ip6-local", ctx, "unsupported_protocol", "too_short", "bad_checksum", "icmp_type_ignored",
                "echo_replies");
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
            if (Bytes.u8(m, ip + Ip6.NEXT_HEADER) != Ip6.NEXT_HEADER_ICMP6) {
                drop(f, UNSUPPORTED_PROTOCOL, cache);
                continue;
            }
            int length = Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH);
            if (length < Icmp6.HEADER_LENGTH) {
                drop(f, TOO_SHORT, cache);
                continue;
            }
            long icmp = ip + Ip6.HEADER_LENGTH;
            int type = Bytes.u8(m, icmp + Icmp6.TYPE);
            if (type == Icmp6.NEIGHBOR_SOLICITATION || type == Icmp6.NEIGHBOR_ADVERTISEMENT) {
                enqueue(nd, f, cache); // nd verifies the checksum itself
                continue;
            }
            long sum = Checksum.pseudoHeader6(m, ip, length, Ip6.NEXT_HEADER_ICMP6);
            if (Checksum.fold(Checksum.add(m, icmp, length, sum)) != 0xffff) {
                drop(f, BAD_CHECKSUM, cache);
                continue;
            }
            if (type != Icmp6.ECHO_REQUEST) {
                drop(f, ICMP_TYPE_IGNORED, cache);
                continue;
            }
            long srcHigh = Bytes.i64(m, ip + Ip6.SOURCE);
            long srcLow = Bytes.i64(m, ip + Ip6.SOURCE + 8);
            Bytes.i64(m, ip + Ip6.SOURCE, Bytes.i64(m, ip + Ip6.DESTINATION));
            Bytes.i64(m, ip + Ip6.SOURCE + 8, Bytes.i64(m, ip + Ip6.DESTINATION + 8));
            Bytes.i64(m, ip + Ip6.DESTINATION, srcHigh);
            Bytes.i64(m, ip + Ip6.DESTINATION + 8, srcLow);
            Bytes.u8(m, ip + Ip6.HOP_LIMIT, Ip6.DEFAULT_HOP_LIMIT);
            int typeCode = Bytes.u16(m, icmp + Icmp6.TYPE);
            int replyTypeCode = Icmp6.ECHO_REPLY << 8 | (typeCode & 0xff);
            Bytes.u16(m, icmp + Icmp6.TYPE, replyTypeCode);
            Bytes.u16(m, icmp + Icmp6.CHECKSUM,
                    Checksum.update(Bytes.u16(m, icmp + Icmp6.CHECKSUM), typeCode, replyTypeCode));
            meta.flags[f] = FrameMetadata.ORIGINATED;
            counters.count(ECHO_REPLIES);
            enqueue(lookup, f, cache);
        }
    }
}
