package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.Icmp6;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * icmp6-error: turns a refused packet into the ICMPv6 error asked for (time exceeded, destination
 * unreachable, packet too big with the MTU), in place: IPv6 + ICMPv6 headers (48 bytes) prepended in
 * the headroom, the original cut so that the error fits the IPv6 minimum MTU (RFC 4443 2.4 c). The
 * source is the input port's global address (else its link-local one); the error is routed back
 * through ip6-lookup.
 *
 * <pre>
 *  after:  [eth][IPv6 40][ICMPv6 8][orig IPv6 header + payload (cut to 1232)]
 * </pre>
 *
 * No error about an ICMPv6 error, a packet the switch built, a link-layer multicast, or from an
 * unspecified or multicast source (RFC 4443 2.4 e); at most the worker's token bucket allows.
 */
final class Icmp6ErrorNode extends GraphNode {
    static final int SENT = 0;
    static final int RATE_LIMITED = 1;
    static final int ERROR_ABOUT_ERROR = 2;
    static final int ORIGINATED = 3;
    static final int L2_MULTICAST = 4;
    static final int BAD_SOURCE = 5;
    static final int NO_SOURCE_ADDRESS = 6;
    static final int NO_HEADROOM = 7;

    static final int PREPENDED = Ip6.HEADER_LENGTH + Icmp6.HEADER_LENGTH;

    private final InterfaceTable interfaces;
    private final TokenBucket bucket;
    GraphNode lookup;

    Icmp6ErrorNode(GraphContext ctx) {
        super("icmp6-error", ctx, "sent", "rate_limited", "error_about_error", "originated", "l2_multicast",
                "bad_source", "no_source_address", "no_headroom");
        this.interfaces = ctx.interfaces;
        this.bucket = ctx.icmpBucket;
    }

    @Override
    void process(FrameCache cache, int n) {
        for (int i = 0; i < n; i++) {
            int reason = build(input.frame(i));
            if (reason == SENT) {
                counters.count(SENT);
                enqueue(lookup, input.frame(i), cache);
            } else {
                drop(input.frame(i), reason, cache);
            }
        }
    }

    private int build(int f) {
        MemorySegment m = memory;
        if (meta.has(f, FrameMetadata.ORIGINATED)) {
            return ORIGINATED;
        }
        if (meta.has(f, FrameMetadata.L2_MULTICAST)) {
            return L2_MULTICAST;
        }
        long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
        long srcHigh = Bytes.i64(m, ip + Ip6.SOURCE);
        long srcLow = Bytes.i64(m, ip + Ip6.SOURCE + 8);
        if (Ip6.isUnspecified(srcHigh, srcLow) || Ip6.isMulticast(srcHigh)) {
            return BAD_SOURCE;
        }
        int payload = Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH);
        if (Bytes.u8(m, ip + Ip6.NEXT_HEADER) == Ip6.NEXT_HEADER_ICMP6 && payload > 0
                && Icmp6.isError(Bytes.u8(m, ip + Ip6.HEADER_LENGTH))) {
            return ERROR_ABOUT_ERROR;
        }
        Interface iface = interfaces.get(slab.inPort(f));
        int source = iface == null ? -1 : iface.ip6ErrorSource();
        if (source < 0) {
            return NO_SOURCE_ADDRESS;
        }
        if (slab.dataOffset(f) < PREPENDED) {
            return NO_HEADROOM;
        }
        if (!bucket.tryTake()) {
            return RATE_LIMITED;
        }
        int quoted = Math.min(Ip6.HEADER_LENGTH + payload, Ip6.MIN_MTU - PREPENDED);
        int typeCode = meta.icmpTypeCode[f];
        long eth = slab.prepend(f, PREPENDED);
        long errorIp = eth + Ethernet.HEADER_LENGTH;
        long icmp = errorIp + Ip6.HEADER_LENGTH;
        int icmpLength = Icmp6.HEADER_LENGTH + quoted;
        Bytes.u16(m, eth + Ethernet.TYPE, Ethernet.TYPE_IP6);
        Bytes.i32(m, errorIp + Ip6.VERSION_CLASS_FLOW, 0x6000_0000);
        Bytes.u16(m, errorIp + Ip6.PAYLOAD_LENGTH, icmpLength);
        Bytes.u8(m, errorIp + Ip6.NEXT_HEADER, Ip6.NEXT_HEADER_ICMP6);
        Bytes.u8(m, errorIp + Ip6.HOP_LIMIT, Ip6.DEFAULT_HOP_LIMIT);
        Bytes.i64(m, errorIp + Ip6.SOURCE, iface.ip6High(source));
        Bytes.i64(m, errorIp + Ip6.SOURCE + 8, iface.ip6Low(source));
        Bytes.i64(m, errorIp + Ip6.DESTINATION, srcHigh);
        Bytes.i64(m, errorIp + Ip6.DESTINATION + 8, srcLow);
        Bytes.u16(m, icmp + Icmp6.TYPE, typeCode);
        Bytes.i32(m, icmp + Icmp6.BODY, meta.icmpParam[f]);
        NdResolver.finishChecksum(m, errorIp, icmp, icmpLength);
        slab.setLength(f, Ethernet.HEADER_LENGTH + PREPENDED + quoted);
        // The error is a new, complete packet in the offending frame: a GSO super-frame's or partial
        // checksum's offload state must not follow it out (a TAP would segment or checksum it as TCP).
        slab.clearOffload(f);
        meta.flags[f] = FrameMetadata.ORIGINATED;
        return SENT;
    }
}
