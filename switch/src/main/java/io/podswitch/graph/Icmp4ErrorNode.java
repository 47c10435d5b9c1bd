package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.Icmp4;
import io.podswitch.packet.Ip4;

import java.lang.foreign.MemorySegment;

/**
 * icmp4-error: turns a packet another node refused into the ICMP error it asked for (time exceeded,
 * destination unreachable, fragmentation needed), in place: a new IPv4 + ICMP header is prepended in
 * the frame's headroom in front of the original IP packet, which is cut to fit 576 bytes
 * (RFC 1812 4.3.2.3). The source is the input port's first address; the error is routed back
 * through ip4-lookup.
 *
 * <pre>
 *  before:                  [eth][orig IP header + payload .................]
 *  after:  [eth][IP 20][ICMP 8][orig IP header + payload (cut)]
 *          ^ 28 bytes taken from the headroom
 * </pre>
 *
 * No error is sent (the packet is just dropped and counted) about an ICMP error, a non-first
 * fragment, a packet the switch built itself, a link-layer broadcast/multicast, or a source that is
 * not one host (RFC 1812 4.3.2.7), nor beyond the worker's token bucket.
 */
final class Icmp4ErrorNode extends GraphNode {
    static final int SENT = 0;
    static final int RATE_LIMITED = 1;
    static final int ERROR_ABOUT_ERROR = 2;
    static final int NON_FIRST_FRAGMENT = 3;
    static final int ORIGINATED = 4;
    static final int L2_MULTICAST = 5;
    static final int BAD_SOURCE = 6;
    static final int NO_SOURCE_ADDRESS = 7;
    static final int NO_HEADROOM = 8;

    static final int PREPENDED = Ip4.MIN_HEADER_LENGTH + Icmp4.HEADER_LENGTH;

    private final InterfaceTable interfaces;
    private final TokenBucket bucket;
    GraphNode lookup;

    Icmp4ErrorNode(GraphContext ctx) {
        super("icmp4-error", ctx, "sent", "rate_limited", "error_about_error", "non_first_fragment", "originated",
                "l2_multicast", "bad_source", "no_source_address", "no_headroom");
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

    /** @return SENT when the frame now holds the error, else the reason not to send one */
    private int build(int f) {
        MemorySegment m = memory;
        if (meta.has(f, FrameMetadata.ORIGINATED)) {
            return ORIGINATED;
        }
        if (meta.has(f, FrameMetadata.L2_MULTICAST)) {
            return L2_MULTICAST;
        }
        long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
        int src = Bytes.i32(m, ip + Ip4.SOURCE);
        if (Ip4.isMartianSource(src)) {
            return BAD_SOURCE;
        }
        if ((Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT) & Ip4.FRAGMENT_OFFSET_MASK) != 0) {
            return NON_FIRST_FRAGMENT;
        }
        int headerLength = (Bytes.u8(m, ip) & 0xf) << 2;
        int total = Bytes.u16(m, ip + Ip4.TOTAL_LENGTH);
        if (Bytes.u8(m, ip + Ip4.PROTOCOL) == Ip4.PROTOCOL_ICMP && total > headerLength
                && Icmp4.isError(Bytes.u8(m, ip + headerLength))) {
            return ERROR_ABOUT_ERROR;
        }
        Interface iface = interfaces.get(slab.inPort(f));
        if (iface == null || iface.ip4Count() == 0) {
            return NO_SOURCE_ADDRESS;
        }
        if (slab.dataOffset(f) < PREPENDED) {
            return NO_HEADROOM;
        }
        if (!bucket.tryTake()) {
            return RATE_LIMITED;
        }
        int quoted = Math.min(total, Icmp4.MAX_ERROR_DATAGRAM - PREPENDED);
        int typeCode = meta.icmpTypeCode[f];
        long eth = slab.prepend(f, PREPENDED);
        long errorIp = eth + Ethernet.HEADER_LENGTH;
        long icmp = errorIp + Ip4.MIN_HEADER_LENGTH;
        Bytes.u16(m, eth + Ethernet.TYPE, Ethernet.TYPE_IP4);
        Bytes.u8(m, errorIp + Ip4.VERSION_IHL, 0x45);
        Bytes.u8(m, errorIp + Ip4.TOS, 0xc0); // precedence: internetwork control
        Bytes.u16(m, errorIp + Ip4.TOTAL_LENGTH, PREPENDED + quoted);
        Bytes.u16(m, errorIp + Ip4.IDENTIFICATION, 0);
        Bytes.u16(m, errorIp + Ip4.FLAGS_FRAGMENT, 0);
        Bytes.u8(m, errorIp + Ip4.TTL, Ip4.DEFAULT_TTL);
        Bytes.u8(m, errorIp + Ip4.PROTOCOL, Ip4.PROTOCOL_ICMP);
        Bytes.u16(m, errorIp + Ip4.CHECKSUM, 0);
        Bytes.i32(m, errorIp + Ip4.SOURCE, iface.ip4(0));
        Bytes.i32(m, errorIp + Ip4.DESTINATION, src);
        Bytes.u16(m, errorIp + Ip4.CHECKSUM, Checksum.compute(m, errorIp, Ip4.MIN_HEADER_LENGTH));
        Bytes.u16(m, icmp + Icmp4.TYPE, typeCode);
        Bytes.u16(m, icmp + Icmp4.CHECKSUM, 0);
        Bytes.u16(m, icmp + Icmp4.REST, 0);
        Bytes.u16(m, icmp + Icmp4.NEXT_HOP_MTU, meta.icmpParam[f]);
        Bytes.u16(m, icmp + Icmp4.CHECKSUM, Checksum.compute(m, icmp, Icmp4.HEADER_LENGTH + quoted));
        slab.setLength(f, Ethernet.HEADER_LENGTH + PREPENDED + quoted);
        // The error is a new, complete packet in the offending frame: a GSO super-frame's or partial
        // checksum's offload state must not follow it out (a TAP would segment or checksum it as TCP).
        slab.clearOffload(f);
        meta.flags[f] = FrameMetadata.ORIGINATED;
        return SENT;
    }
}
