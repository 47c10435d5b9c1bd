package io.podswitch.graph;

import io.podswitch.neighbor.NeighborCache;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.Icmp6;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * nd (IPv6 neighbour discovery, RFC 4861): validates NS and NA (7.1.1, 7.1.2: hop limit 255, code
 * 0, length, checksum, non-multicast target, sane options), answers solicitations for the port's own
 * addresses with an advertisement built in place (router, solicited and override flags, our
 * link-layer address), learns the solicitor from its source link-layer option and the advertiser
 * from its target link-layer option, and releases packets waiting for that neighbour.
 *
 * <p>Duplicate address detection: a NS from the unspecified address must go to a solicited-node
 * group and carry no link-layer option; nothing is learned from it, and when it probes one of our
 * own addresses we defend it with an advertisement to all-nodes with S=0 (7.2.4).
 * Other ICMPv6 sent to a multicast group (router solicitations, MLD, ...) is counted and dropped.
 */
final class NdNode extends GraphNode {
    static final int TOO_SHORT = 0;
    static final int IGNORED_TYPE = 1;
    static final int BAD_HOP_LIMIT = 2;
    static final int BAD_CODE = 3;
    static final int BAD_CHECKSUM = 4;
    static final int BAD_TARGET = 5;
    static final int BAD_OPTION = 6;
    static final int BAD_DAD = 7;
    static final int NOT_FOR_US = 8;
    static final int ADDRESS_CONFLICT = 9;
    static final int BAD_SOLICITED_FLAG = 10;
    static final int NO_LINK_LAYER_OPTION = 11;
    static final int ADVERTISEMENTS_SENT = 12;
    static final int DAD_DEFENDED = 13;
    static final int LEARNED = 14;
    static final int TABLE_FULL = 15;
    static final int UNSOLICITED_IGNORED = 16;
    static final int SPOOFED = 17;

    private static final long ALL_NODES_MAC = Ethernet.ip6MulticastMac(Ip6.ALL_NODES_LOW);

    private final InterfaceTable interfaces;
    private final NeighborCache neighbors;
    private final InterfaceOutput output;
    private final GraphClock clock;
    private final NdResolver resolver;

    NdNode(GraphContext ctx, NdResolver resolver) {
        super("nd", ctx, "too_short", "ignored_type", "bad_hop_limit", "bad_code", "bad_checksum", "bad_target",
                "bad_option", "bad_dad", "not_for_us", "address_conflict", "bad_solicited_flag",
                "no_link_layer_option", "advertisements_sent", "dad_defended", "learned", "table_full",
                "unsolicited_ignored", "spoofed");
        this.interfaces = ctx.interfaces;
        this.neighbors = ctx.neighbors.ip6();
        this.output = ctx.output;
        this.clock = ctx.clock;
        this.resolver = resolver;
    }

    @Override
    void process(FrameCache cache, int n) {
        for (int i = 0; i < n; i++) {
            handle(input.frame(i), cache);
        }
    }

    private void handle(int f, FrameCache cache) {
        MemorySegment m = memory;
        long eth = slab.dataStart(f);
        long ip = eth + Ethernet.HEADER_LENGTH;
        long icmp = ip + Ip6.HEADER_LENGTH;
        int length = Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH);
        if (length < Icmp6.HEADER_LENGTH) {
            drop(f, TOO_SHORT, cache);
            return;
        }
        int type = Bytes.u8(m, icmp + Icmp6.TYPE);
        if (type != Icmp6.NEIGHBOR_SOLICITATION && type != Icmp6.NEIGHBOR_ADVERTISEMENT) {
            drop(f, IGNORED_TYPE, cache);
            return;
        }
        if (length < Icmp6.ND_MIN_LENGTH) {
            drop(f, TOO_SHORT, cache);
            return;
        }
        if (Bytes.u8(m, ip + Ip6.HOP_LIMIT) != Icmp6.ND_HOP_LIMIT) {
            drop(f, BAD_HOP_LIMIT, cache);
            return;
        }
        if (Bytes.u8(m, icmp + Icmp6.CODE) != 0) {
            drop(f, BAD_CODE, cache);
            return;
        }
        long sum = Checksum.pseudoHeader6(m, ip, length, Ip6.NEXT_HEADER_ICMP6);
        if (Checksum.fold(Checksum.add(m, icmp, length, sum)) != 0xffff) {
            drop(f, BAD_CHECKSUM, cache);
            return;
        }
        long targetHigh = Bytes.i64(m, icmp + Icmp6.ND_TARGET);
        long targetLow = Bytes.i64(m, icmp + Icmp6.ND_TARGET + 8);
        if (Ip6.isMulticast(targetHigh)) {
            drop(f, BAD_TARGET, cache);
            return;
        }
        // Options: each is (type, length in units of 8 bytes, ...); a zero length is invalid.
        int wantedOption = type == Icmp6.NEIGHBOR_SOLICITATION
                ? Icmp6.OPTION_SOURCE_LINK_LAYER : Icmp6.OPTION_TARGET_LINK_LAYER;
        long linkLayer = -1;
        int offset = Icmp6.ND_OPTIONS;
        while (offset < length) {
            if (offset + 2 > length) {
                break;
            }
            int optionType = Bytes.u8(m, icmp + offset);
            int optionLength = Bytes.u8(m, icmp + offset + 1) << 3;
            if (optionLength == 0 || offset + optionLength > length) {
                linkLayer = -2;
                break;
            }
            if (optionType == wantedOption && optionLength >= Icmp6.LINK_LAYER_OPTION_LENGTH) {
                linkLayer = Bytes.mac(m, icmp + offset + 2);
            }
            offset += optionLength;
        }
        if (linkLayer == -2 || offset < length) {
            drop(f, BAD_OPTION, cache);
            return;
        }
        int port = slab.inPort(f);
        Interface iface = interfaces.get(port);
        long srcHigh = Bytes.i64(m, ip + Ip6.SOURCE);
        long srcLow = Bytes.i64(m, ip + Ip6.SOURCE + 8);
        long dstHigh = Bytes.i64(m, ip + Ip6.DESTINATION);
        long dstLow = Bytes.i64(m, ip + Ip6.DESTINATION + 8);
        if ((linkLayer >= 0 && !iface.allowsSourceMac(linkLayer))
                || (type == Icmp6.NEIGHBOR_ADVERTISEMENT && !iface.allowsIp6Source(targetHigh, targetLow))) {
            drop(f, SPOOFED, cache);
            return;
        }
        if (type == Icmp6.NEIGHBOR_SOLICITATION) {
            boolean dad = Ip6.isUnspecified(srcHigh, srcLow);
            if (dad && (!Ip6.isSolicitedNode(dstHigh, dstLow) || linkLayer >= 0)) {
                drop(f, BAD_DAD, cache);
                return;
            }
            // A proxying port answers for every target, but never a DAD probe: that would make the
            // prober (the node's kernel) believe its own address is a duplicate.
            if (!iface.ownsIp6(targetHigh, targetLow) && !(iface.proxiesNeighbors() && !dad)) {
                drop(f, NOT_FOR_US, cache);
                return;
            }
            long replyMac;
            long replyHigh;
            long replyLow;
            if (dad) {
                // Defend the address: tell all nodes, unsolicited (RFC 4861 7.2.4).
                replyMac = ALL_NODES_MAC;
                replyHigh = Ip6.ALL_NODES_HIGH;
                replyLow = Ip6.ALL_NODES_LOW;
                counters.count(DAD_DEFENDED);
            } else {
                replyMac = linkLayer >= 0 ? linkLayer : Bytes.mac(m, eth + Ethernet.SOURCE);
                replyHigh = srcHigh;
                replyLow = srcLow;
                if (linkLayer >= 0) {
                    learn(port, srcHigh, srcLow, linkLayer, cache);
                }
            }
            advertise(f, iface, eth, replyMac, targetHigh, targetLow, replyHigh, replyLow, !dad);
            counters.count(ADVERTISEMENTS_SENT);
            output.send(port, f, cache);
            return;
        }
        // Neighbour advertisement.
        int flags = Bytes.i32(m, icmp + Icmp6.BODY);
        if (Ip6.isMulticast(dstHigh) && (flags & Icmp6.NA_FLAG_SOLICITED) != 0) {
            drop(f, BAD_SOLICITED_FLAG, cache);
            return;
        }
        if (iface.ownsIp6(targetHigh, targetLow)) {
            drop(f, ADDRESS_CONFLICT, cache);
            return;
        }
        if (linkLayer < 0) {
            drop(f, NO_LINK_LAYER_OPTION, cache);
            return;
        }
        if (resolver.isPending(port, targetHigh, targetLow)) {
            learn(port, targetHigh, targetLow, linkLayer, cache);
        } else if (!neighbors.refresh(port, targetHigh, targetLow, linkLayer, clock.nowNanos)) {
            drop(f, UNSOLICITED_IGNORED, cache);
            return;
        }
        cache.free(f);
    }

    private void learn(int port, long high, long low, long mac, FrameCache cache) {
        if (neighbors.learn(port, high, low, mac, clock.nowNanos)) {
            counters.count(LEARNED);
        } else {
            counters.count(TABLE_FULL);
        }
        resolver.resolved(port, high, low, mac, cache);
    }

    /** Rewrites the frame into our neighbour advertisement for the target. */
    private void advertise(int f, Interface iface, long eth, long dstMac, long targetHigh, long targetLow,
                           long dstHigh, long dstLow, boolean solicited) {
        MemorySegment m = memory;
        Bytes.mac(m, eth + Ethernet.DESTINATION, dstMac);
        Bytes.mac(m, eth + Ethernet.SOURCE, iface.mac());
        Bytes.u16(m, eth + Ethernet.TYPE, Ethernet.TYPE_IP6);
        long ip = eth + Ethernet.HEADER_LENGTH;
        NdResolver.writeNdHeader(m, ip, targetHigh, targetLow, dstHigh, dstLow);
        long icmp = ip + Ip6.HEADER_LENGTH;
        Bytes.u8(m, icmp + Icmp6.TYPE, Icmp6.NEIGHBOR_ADVERTISEMENT);
        Bytes.u8(m, icmp + Icmp6.CODE, 0);
        Bytes.i32(m, icmp + Icmp6.BODY, Icmp6.NA_FLAG_ROUTER | Icmp6.NA_FLAG_OVERRIDE
                | (solicited ? Icmp6.NA_FLAG_SOLICITED : 0));
        Bytes.i64(m, icmp + Icmp6.ND_TARGET, targetHigh);
        Bytes.i64(m, icmp + Icmp6.ND_TARGET + 8, targetLow);
        NdResolver.writeLinkLayerOption(m, icmp + Icmp6.ND_OPTIONS, Icmp6.OPTION_TARGET_LINK_LAYER, iface.mac());
        NdResolver.finishChecksum(m, ip, icmp, NdResolver.ND_LENGTH);
        slab.setLength(f, NdResolver.FRAME_LENGTH);
    }
}
