package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Icmp6;
import io.podswitch.packet.Ip6;
import io.podswitch.packet.Tcp;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.TcpState;

import java.lang.foreign.MemorySegment;

/**
 * ip6-service: {@link Service4Node} for IPv6, between ip6-input and ip6-lookup. TCP/UDP/ICMPv6 must
 * follow the fixed header directly (packets with extension headers are not service traffic and pass
 * untouched). There is no header checksum; the TCP/UDP checksums cover the 128-bit addresses through the
 * pseudo-header, so each rewritten address changes them by eight words. No backend: TCP RST, or ICMPv6
 * port unreachable (type 1 code 4).
 */
final class Service6Node extends GraphNode {
    static final int NO_BACKEND_RST = 0;
    static final int NO_BACKEND_UNREACHABLE = 1;
    static final int NO_BACKEND_RATE_LIMITED = 2;
    static final int NO_LOCAL_BACKEND = 3;
    static final int DNAT = 4;
    static final int UN_NAT = 5;
    static final int ICMP_UN_NAT = 6;
    static final int NO_BACKEND_RESET_DROPPED = 7;

    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int UDP_CHECKSUM = 6;
    private static final int UDP_HEADER = 8;
    private static final int CODE_PORT_UNREACHABLE = 4;

    private final ServiceBalancer balancer;
    private final InterfaceTable interfaces;
    private final GraphClock clock;
    private final TokenBucket bucket;
    GraphNode lookup;
    GraphNode icmpError;

    Service6Node(GraphContext ctx, ServiceBalancer balancer) {
        super("ip6-service", ctx, "no_backend_rst", "no_backend_unreachable", "no_backend_rate_limited",
                "no_local_backend", "dnat", "un_nat", "icmp_un_nat", "no_backend_reset_dropped");
        this.balancer = balancer;
        this.interfaces = ctx.interfaces;
        this.clock = ctx.clock;
        this.bucket = ctx.icmpBucket;
    }

    @Override
    void process(FrameCache cache, int n) {
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            GraphNode next = handle(f);
            if (next == null) {
                cache.free(f);
            } else {
                enqueue(next, f, cache);
            }
        }
        balancer.counters.commit();
    }

    private GraphNode handle(int f) {
        MemorySegment m = memory;
        long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
        int proto = Bytes.u8(m, ip + Ip6.NEXT_HEADER);
        int l4Length = Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH);
        long l4 = ip + Ip6.HEADER_LENGTH;
        if (proto == Ip6.NEXT_HEADER_ICMP6) {
            if (l4Length >= Icmp6.HEADER_LENGTH + Ip6.HEADER_LENGTH + 8 && balancer.anyFlows()) {
                translateIcmpError(f, ip, l4, l4Length);
            }
            return lookup;
        }
        if ((proto != TCP && proto != UDP) || l4Length < (proto == TCP ? Tcp.MIN_HEADER_LENGTH : UDP_HEADER)) {
            return lookup;
        }
        long srcHigh = Bytes.i64(m, ip + Ip6.SOURCE);
        long srcLow = Bytes.i64(m, ip + Ip6.SOURCE + 8);
        long dstHigh = Bytes.i64(m, ip + Ip6.DESTINATION);
        long dstLow = Bytes.i64(m, ip + Ip6.DESTINATION + 8);
        int sport = Bytes.u16(m, l4);
        int dport = Bytes.u16(m, l4 + 2);
        ServiceEntry entry = balancer.table.find(proto, dstHigh, dstLow, dport);
        boolean fromOutside = false;
        long snatHigh = dstHigh;
        long snatLow = dstLow;
        if (entry != null && entry.kind() == ServiceKind.NODE_PORT) {
            entry = null; // a packet to :: is not a node-port packet
        } else if (entry != null && entry.kind() == ServiceKind.EXTERNAL_IP) {
            // As in ip4-service: the external policy from outside, SNAT to the uplink's own address.
            Interface in = interfaces.get(slab.inPort(f));
            fromOutside = in != null && in.fromOutside6(srcHigh, srcLow);
            boolean address = fromOutside && in.ip6Count() > 0;
            snatHigh = address ? in.ip6High(0) : 0;
            snatLow = address ? in.ip6Low(0) : 0;
        }
        if (entry == null) {
            // As in ip4-service: a node port from outside, or from this node's pods (short-circuited).
            Interface in = interfaces.get(slab.inPort(f));
            Interface node = in != null && in.uplink() ? in : interfaces.uplink();
            if (node != null && node.ownsIp6(dstHigh, dstLow)) {
                entry = balancer.table.find(proto, 0L, 0L, dport);
                if (entry != null && entry.kind() != ServiceKind.NODE_PORT) {
                    entry = null;
                }
                fromOutside = entry != null && node == in;
            }
        }
        if (entry != null) {
            int flags = proto == TCP ? Bytes.u8(m, l4 + Tcp.FLAGS) : 0;
            int verdict = balancer.choose(entry, fromOutside, snatHigh, snatLow, proto, srcHigh, srcLow, sport, dstHigh,
                    dstLow, dport, flags, clock.nowNanos);
            if (verdict == ServiceBalancer.NO_LOCAL_BACKEND) {
                counters.count(NO_LOCAL_BACKEND);
                return null;
            }
            if (verdict == ServiceBalancer.NO_BACKEND) {
                return refuse(f, ip, l4, proto);
            }
            rewrite(f, ip, l4, proto, false, balancer.backendHigh, balancer.backendLow, balancer.backendPort);
            if (balancer.snat) {
                rewrite(f, ip, l4, proto, true, balancer.snatHigh, balancer.snatLow, balancer.snatPort);
            }
            counters.count(DNAT);
            return lookup;
        }
        if (proto == TCP && (Bytes.u8(m, l4 + Tcp.FLAGS) & (TcpState.SYN | TcpState.ACK)) == TcpState.SYN
                && balancer.anyFlows()) {
            balancer.supersedeReused(proto, srcHigh, srcLow, sport, dstHigh, dstLow, dport);
            return lookup; // a SYN is never a reply
        }
        if (balancer.anyFlows() && balancer.findReply(proto, srcHigh, srcLow, sport, dstHigh, dstLow, dport)) {
            meta.unNated(f, srcHigh, srcLow, sport);
            rewrite(f, ip, l4, proto, true, balancer.reply.vipHigh, balancer.reply.vipLow, balancer.reply.vipPort);
            rewrite(f, ip, l4, proto, false, balancer.reply.clientHigh, balancer.reply.clientLow,
                    balancer.reply.clientPort);
            balancer.replied(proto, proto == TCP ? Bytes.u8(m, l4 + Tcp.FLAGS) : 0, clock.nowNanos);
            counters.count(UN_NAT);
        }
        return lookup;
    }

    private void rewrite(int f, long ip, long l4, int proto, boolean source, long high, long low, int port) {
        MemorySegment m = memory;
        long addressField = ip + (source ? Ip6.SOURCE : Ip6.DESTINATION);
        long portField = l4 + (source ? 0 : 2);
        long addressDelta = NatChecksum.delta64(Bytes.i64(m, addressField), high)
                + NatChecksum.delta64(Bytes.i64(m, addressField + 8), low);
        int oldPort = Bytes.u16(m, portField);
        Bytes.i64(m, addressField, high);
        Bytes.i64(m, addressField + 8, low);
        Bytes.u16(m, portField, port);
        long csum = l4 + (proto == TCP ? Tcp.CHECKSUM : UDP_CHECKSUM);
        if ((slab.offloadFlags(f) & FrameSlab.NEEDS_CSUM) != 0) {
            NatChecksum.applyPartial(m, csum, addressDelta);
        } else if (proto == TCP) {
            NatChecksum.applyFull(m, csum, addressDelta + NatChecksum.delta16(oldPort, port));
        } else {
            NatChecksum.applyUdp(m, csum, addressDelta + NatChecksum.delta16(oldPort, port));
        }
    }

    private GraphNode refuse(int f, long ip, long l4, int proto) {
        if (proto == UDP) {
            counters.count(NO_BACKEND_UNREACHABLE);
            meta.requestError(f, Icmp6.DESTINATION_UNREACHABLE, CODE_PORT_UNREACHABLE, 0);
            return icmpError;
        }
        MemorySegment m = memory;
        int flags = Bytes.u8(m, l4 + Tcp.FLAGS);
        if ((flags & Tcp.FLAG_RST) != 0) {
            counters.count(NO_BACKEND_RESET_DROPPED); // never answer a RST with a RST
            return null;
        }
        if (!bucket.tryTake()) {
            counters.count(NO_BACKEND_RATE_LIMITED);
            return null;
        }
        int payload = Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH) - Tcp.headerLength(m, l4);
        long seq = Bytes.i32(m, l4 + Tcp.SEQUENCE) & 0xffff_ffffL;
        int ack = Bytes.i32(m, l4 + Tcp.ACKNOWLEDGMENT);
        long srcHigh = Bytes.i64(m, ip + Ip6.SOURCE);
        long srcLow = Bytes.i64(m, ip + Ip6.SOURCE + 8);
        Bytes.i64(m, ip + Ip6.SOURCE, Bytes.i64(m, ip + Ip6.DESTINATION));
        Bytes.i64(m, ip + Ip6.SOURCE + 8, Bytes.i64(m, ip + Ip6.DESTINATION + 8));
        Bytes.i64(m, ip + Ip6.DESTINATION, srcHigh);
        Bytes.i64(m, ip + Ip6.DESTINATION + 8, srcLow);
        Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH, Tcp.MIN_HEADER_LENGTH);
        Bytes.u8(m, ip + Ip6.HOP_LIMIT, Ip6.DEFAULT_HOP_LIMIT);
        int sport = Bytes.u16(m, l4);
        Bytes.u16(m, l4, Bytes.u16(m, l4 + 2));
        Bytes.u16(m, l4 + 2, sport);
        TcpReset.fill(m, l4, flags, seq, ack, payload);
        long pseudo = Checksum.pseudoHeader6(m, ip, Tcp.MIN_HEADER_LENGTH, TCP);
        Bytes.u16(m, l4 + Tcp.CHECKSUM, Checksum.finish(Checksum.add(m, l4, Tcp.MIN_HEADER_LENGTH, pseudo)));
        slab.setLength(f, Ethernet.HEADER_LENGTH + Ip6.HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH);
        slab.clearOffload(f);
        meta.flags[f] = FrameMetadata.ORIGINATED;
        counters.count(NO_BACKEND_RST);
        return lookup;
    }

    /** As {@link Service4Node}'s: translate the quoted (snat → backend) header back to (client → VIP). */
    private void translateIcmpError(int f, long ip, long icmp, int icmpLength) {
        MemorySegment m = memory;
        int type = Bytes.u8(m, icmp + Icmp6.TYPE);
        if (type < Icmp6.DESTINATION_UNREACHABLE || type > Icmp6.PARAMETER_PROBLEM) {
            return;
        }
        long inner = icmp + Icmp6.HEADER_LENGTH;
        int innerProto = Bytes.u8(m, inner + Ip6.NEXT_HEADER);
        if ((Bytes.u8(m, inner) >>> 4) != 6 || (innerProto != TCP && innerProto != UDP)) {
            return;
        }
        long innerL4 = inner + Ip6.HEADER_LENGTH;
        long isH = Bytes.i64(m, inner + Ip6.SOURCE);
        long isL = Bytes.i64(m, inner + Ip6.SOURCE + 8);
        long idH = Bytes.i64(m, inner + Ip6.DESTINATION);
        long idL = Bytes.i64(m, inner + Ip6.DESTINATION + 8);
        int innerSport = Bytes.u16(m, innerL4);
        int innerDport = Bytes.u16(m, innerL4 + 2);
        if (!balancer.findReply(innerProto, idH, idL, innerDport, isH, isL, innerSport)) {
            return;
        }
        var r = balancer.reply;
        int quotedL4 = icmpLength - Icmp6.HEADER_LENGTH - Ip6.HEADER_LENGTH;
        long delta = NatChecksum.delta64(idH, r.vipHigh) + NatChecksum.delta64(idL, r.vipLow)
                + NatChecksum.delta64(isH, r.clientHigh) + NatChecksum.delta64(isL, r.clientLow)
                + NatChecksum.delta16(innerDport, r.vipPort) + NatChecksum.delta16(innerSport, r.clientPort);
        Bytes.i64(m, inner + Ip6.DESTINATION, r.vipHigh);
        Bytes.i64(m, inner + Ip6.DESTINATION + 8, r.vipLow);
        Bytes.i64(m, inner + Ip6.SOURCE, r.clientHigh);
        Bytes.i64(m, inner + Ip6.SOURCE + 8, r.clientLow);
        Bytes.u16(m, innerL4 + 2, r.vipPort);
        Bytes.u16(m, innerL4, r.clientPort);
        if (innerProto == TCP && quotedL4 >= Tcp.CHECKSUM + 2) {
            NatChecksum.applyFull(m, innerL4 + Tcp.CHECKSUM, delta);
        } else if (innerProto == UDP) {
            NatChecksum.applyUdp(m, innerL4 + UDP_CHECKSUM, delta);
        }
        long osH = Bytes.i64(m, ip + Ip6.SOURCE);
        long osL = Bytes.i64(m, ip + Ip6.SOURCE + 8);
        Bytes.i64(m, ip + Ip6.DESTINATION, r.clientHigh);
        Bytes.i64(m, ip + Ip6.DESTINATION + 8, r.clientLow);
        if (osH == idH && osL == idL) {
            Bytes.i64(m, ip + Ip6.SOURCE, r.vipHigh);
            Bytes.i64(m, ip + Ip6.SOURCE + 8, r.vipLow);
        }
        Bytes.u16(m, icmp + Icmp6.CHECKSUM, 0);
        long pseudo = Checksum.pseudoHeader6(m, ip, icmpLength, Ip6.NEXT_HEADER_ICMP6);
        Bytes.u16(m, icmp + Icmp6.CHECKSUM, Checksum.finish(Checksum.add(m, icmp, icmpLength, pseudo)));
        meta.unNated(f, osH, osL, 0); // related to a tracked flow
        balancer.replied(innerProto, 0, clock.nowNanos);
        counters.count(ICMP_UN_NAT);
    }
}
