package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Icmp4;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Tcp;
import io.podswitch.service.FlowHash;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;
import io.podswitch.service.TcpState;

import java.lang.foreign.MemorySegment;

/**
 * ip4-service, between ip4-input and ip4-lookup (docs/service.md, "Data path"):
 * <ul>
 *   <li>TCP/UDP to a service key (VIP:port, an external IP:port, or a node port on an uplink address,
 *       arriving on that uplink or from this node's pods):
 *       backend chosen by {@link ServiceBalancer}, destination rewritten (DNAT), source too for hairpin
 *       and node-port-to-remote-backend flows (SNAT), checksums updated incrementally;</li>
 *   <li>no backend: TCP → RST from the VIP, UDP → ICMP port unreachable (rate-limited); a {@code Local}
 *       traffic policy without a local backend (but endpoints elsewhere) → dropped;</li>
 *   <li>a reply of a tracked flow (source = backend, destination = the flow's source after SNAT):
 *       addresses and ports translated back; ICMP errors quoting such a reply's reverse — an error about
 *       a DNATed packet — get their inner header translated back too;</li>
 *   <li>everything else (and non-first fragments) goes on to ip4-lookup untouched.</li>
 * </ul>
 */
final class Service4Node extends GraphNode {
    static final int NO_BACKEND_RST = 0;
    static final int NO_BACKEND_UNREACHABLE = 1;
    static final int NO_BACKEND_RATE_LIMITED = 2;
    static final int NO_LOCAL_BACKEND = 3;
    static final int DNAT = 4;
    static final int UN_NAT = 5;
    static final int ICMP_UN_NAT = 6;
    static final int FRAGMENT = 7;
    static final int NO_BACKEND_RESET_DROPPED = 8;

    private static final int UDP_CHECKSUM = 6;
    private static final int UDP_HEADER = 8;
    private static final int CODE_PORT_UNREACHABLE = 3;

    private final ServiceBalancer balancer;
    private final ServiceTable table;
    private final InterfaceTable interfaces;
    private final GraphClock clock;
    private final TokenBucket bucket;
    GraphNode lookup;
    GraphNode icmpError;

    Service4Node(GraphContext ctx, ServiceBalancer balancer) {
        super("ip4-service", ctx, "no_backend_rst", "no_backend_unreachable", "no_backend_rate_limited",
                "no_local_backend", "dnat", "un_nat", "icmp_un_nat", "fragment",
                "no_backend_reset_dropped");
        this.balancer = balancer;
        this.table = balancer.table;
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

    /** @return the next node, or null when the packet was dropped (already counted) */
    private GraphNode handle(int f) {
        MemorySegment m = memory;
        long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
        int headerLength = (Bytes.u8(m, ip) & 0xf) << 2;
        int total = Bytes.u16(m, ip + Ip4.TOTAL_LENGTH);
        int proto = Bytes.u8(m, ip + Ip4.PROTOCOL);
        if (proto != Ip4.PROTOCOL_TCP && proto != Ip4.PROTOCOL_UDP && proto != Ip4.PROTOCOL_ICMP) {
            return lookup;
        }
        boolean fragment = (Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT) & (Ip4.FLAG_MF | Ip4.FRAGMENT_OFFSET_MASK)) != 0;
        long l4 = ip + headerLength;
        int l4Length = total - headerLength;
        if (proto == Ip4.PROTOCOL_ICMP) {
            if (!fragment && l4Length >= Icmp4.HEADER_LENGTH + Ip4.MIN_HEADER_LENGTH + 8 && balancer.anyFlows()) {
                translateIcmpError(f, ip, l4, l4Length);
            }
            return lookup;
        }
        int src = Bytes.i32(m, ip + Ip4.SOURCE);
        int dst = Bytes.i32(m, ip + Ip4.DESTINATION);
        if (l4Length < (proto == Ip4.PROTOCOL_TCP ? Tcp.MIN_HEADER_LENGTH : UDP_HEADER)) {
            return lookup; // no complete header: cannot be a service flow (a VIP is not routed: no route)
        }
        int sport = Bytes.u16(m, l4);
        int dport = Bytes.u16(m, l4 + 2);
        ServiceEntry entry = table.find4(proto, dst, dport);
        boolean fromOutside = false;
        long snatLow = FlowHash.ipv4MappedLow(dst);
        if (entry != null && entry.kind() == ServiceKind.NODE_PORT) {
            entry = null; // a packet to 0.0.0.0 is not a node-port packet
        } else if (entry != null && entry.kind() == ServiceKind.EXTERNAL_IP) {
            // From outside the external policy applies, and a remote backend's flow is SNATed to the uplink's
            // own address (the external IP is not routed back to this node).
            Interface in = interfaces.get(slab.inPort(f));
            fromOutside = in != null && in.fromOutside4(src);
            snatLow = fromOutside && in.ip4Count() > 0 ? FlowHash.ipv4MappedLow(in.ip4(0)) : 0;
        }
        if (entry == null) {
            // A node port, on the uplink's addresses: from outside (arriving on the uplink), or from this
            // node's pods (short-circuited to every endpoint, no SNAT, as kube-proxy serves them).
            Interface in = interfaces.get(slab.inPort(f));
            Interface node = in != null && in.uplink() ? in : interfaces.uplink();
            if (node != null && node.ownsIp4(dst)) {
                entry = table.find(proto, FlowHash.IPV4_MAPPED_HIGH, ServiceTable.NODE_PORT4_LOW, dport);
                if (entry != null && entry.kind() != ServiceKind.NODE_PORT) {
                    entry = null;
                }
                fromOutside = entry != null && node == in;
            }
        }
        if (entry != null) {
            if (fragment) {
                // Only a first fragment carries the ports; the rest could not follow it to the backend.
                counters.count(FRAGMENT);
                return null;
            }
            int flags = proto == Ip4.PROTOCOL_TCP ? Bytes.u8(m, l4 + Tcp.FLAGS) : 0;
            int verdict = balancer.choose(entry, fromOutside, FlowHash.IPV4_MAPPED_HIGH, snatLow,
                    proto, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(src), sport, FlowHash.IPV4_MAPPED_HIGH,
                    FlowHash.ipv4MappedLow(dst), dport, flags, clock.nowNanos);
            if (verdict == ServiceBalancer.NO_LOCAL_BACKEND) {
                counters.count(NO_LOCAL_BACKEND);
                return null;
            }
            if (verdict == ServiceBalancer.NO_BACKEND) {
                return refuse(f, ip, l4, proto);
            }
            rewrite(f, ip, l4, proto, false, (int) balancer.backendLow, balancer.backendPort);
            if (balancer.snat) {
                rewrite(f, ip, l4, proto, true, (int) balancer.snatLow, balancer.snatPort);
            }
            counters.count(DNAT);
            return lookup;
        }
        if (!fragment && proto == Ip4.PROTOCOL_TCP && (Bytes.u8(m, l4 + Tcp.FLAGS) & (TcpState.SYN | TcpState.ACK))
                == TcpState.SYN && balancer.anyFlows()) {
            balancer.supersedeReused(proto, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(src), sport,
                    FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(dst), dport);
            return lookup; // a SYN is never a reply
        }
        if (!fragment && balancer.anyFlows() && balancer.findReply(proto, FlowHash.IPV4_MAPPED_HIGH,
                FlowHash.ipv4MappedLow(src), sport, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(dst), dport)) {
            meta.unNated(f, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(src), sport);
            rewrite(f, ip, l4, proto, true, (int) balancer.reply.vipLow, balancer.reply.vipPort);
            rewrite(f, ip, l4, proto, false, (int) balancer.reply.clientLow, balancer.reply.clientPort);
            balancer.replied(proto, proto == Ip4.PROTOCOL_TCP ? Bytes.u8(m, l4 + Tcp.FLAGS) : 0, clock.nowNanos);
            counters.count(UN_NAT);
        }
        return lookup;
    }

    /**
     * Rewrites the source or destination address and port, updating the IPv4 header checksum and the
     * TCP/UDP checksum incrementally (partial checksums: only the pseudo-header part).
     */
    private void rewrite(int f, long ip, long l4, int proto, boolean source, int address, int port) {
        MemorySegment m = memory;
        long addressField = ip + (source ? Ip4.SOURCE : Ip4.DESTINATION);
        long portField = l4 + (source ? 0 : 2);
        int oldAddress = Bytes.i32(m, addressField);
        int oldPort = Bytes.u16(m, portField);
        long addressDelta = NatChecksum.delta32(oldAddress, address);
        Bytes.i32(m, addressField, address);
        Bytes.u16(m, portField, port);
        NatChecksum.applyFull(m, ip + Ip4.CHECKSUM, addressDelta);
        long csum = l4 + (proto == Ip4.PROTOCOL_TCP ? Tcp.CHECKSUM : UDP_CHECKSUM);
        if ((slab.offloadFlags(f) & FrameSlab.NEEDS_CSUM) != 0) {
            NatChecksum.applyPartial(m, csum, addressDelta);
        } else if (proto == Ip4.PROTOCOL_TCP) {
            NatChecksum.applyFull(m, csum, addressDelta + NatChecksum.delta16(oldPort, port));
        } else {
            NatChecksum.applyUdp(m, csum, addressDelta + NatChecksum.delta16(oldPort, port));
        }
    }

    /** No backend: TCP gets a RST from the VIP, UDP an ICMP port unreachable (both rate-limited). */
    private GraphNode refuse(int f, long ip, long l4, int proto) {
        if (proto == Ip4.PROTOCOL_UDP) {
            counters.count(NO_BACKEND_UNREACHABLE);
            meta.requestError(f, Icmp4.DESTINATION_UNREACHABLE, CODE_PORT_UNREACHABLE, 0);
            return icmpError;
        }
        MemorySegment m = memory;
        int flags = Bytes.u8(m, l4 + Tcp.FLAGS);
        if ((flags & Tcp.FLAG_RST) != 0) {
            counters.count(NO_BACKEND_RESET_DROPPED); // never answer a RST with a RST (RFC 9293 3.10.7.1)
            return null;
        }
        if (!bucket.tryTake()) {
            counters.count(NO_BACKEND_RATE_LIMITED);
            return null;
        }
        int headerLength = (int) (l4 - ip);
        int total = Bytes.u16(m, ip + Ip4.TOTAL_LENGTH);
        int payload = total - headerLength - Tcp.headerLength(m, l4);
        long seq = Bytes.i32(m, l4 + Tcp.SEQUENCE) & 0xffff_ffffL;
        int ack = Bytes.i32(m, l4 + Tcp.ACKNOWLEDGMENT);
        int src = Bytes.i32(m, ip + Ip4.SOURCE);
        int dst = Bytes.i32(m, ip + Ip4.DESTINATION);
        int sport = Bytes.u16(m, l4);
        int dport = Bytes.u16(m, l4 + 2);
        Bytes.u8(m, ip + Ip4.VERSION_IHL, 0x45);
        long tcp = ip + Ip4.MIN_HEADER_LENGTH;
        Bytes.u16(m, ip + Ip4.TOTAL_LENGTH, Ip4.MIN_HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH);
        Bytes.u16(m, ip + Ip4.IDENTIFICATION, 0);
        Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT, Ip4.FLAG_DF);
        Bytes.u8(m, ip + Ip4.TTL, Ip4.DEFAULT_TTL);
        Bytes.i32(m, ip + Ip4.SOURCE, dst);
        Bytes.i32(m, ip + Ip4.DESTINATION, src);
        Bytes.u16(m, ip + Ip4.CHECKSUM, 0);
        Bytes.u16(m, ip + Ip4.CHECKSUM, Checksum.compute(m, ip, Ip4.MIN_HEADER_LENGTH));
        Bytes.u16(m, tcp, dport);
        Bytes.u16(m, tcp + 2, sport);
        TcpReset.fill(m, tcp, flags, seq, ack, payload);
        long pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + Ip4.PROTOCOL_TCP
                + Tcp.MIN_HEADER_LENGTH;
        Bytes.u16(m, tcp + Tcp.CHECKSUM, Checksum.finish(Checksum.add(m, tcp, Tcp.MIN_HEADER_LENGTH, pseudo)));
        slab.setLength(f, Ethernet.HEADER_LENGTH + Ip4.MIN_HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH);
        slab.clearOffload(f);
        meta.flags[f] = FrameMetadata.ORIGINATED;
        counters.count(NO_BACKEND_RST);
        return lookup;
    }

    /**
     * An ICMP error about a packet that was DNATed (and maybe SNATed) on its way out — e.g. the backend's
     * port unreachable — quotes the translated header; the client must see the header it sent. The quoted
     * packet runs snat → backend, i.e. it has the flow's reverse key with source and destination swapped.
     */
    private void translateIcmpError(int f, long ip, long icmp, int icmpLength) {
        MemorySegment m = memory;
        int type = Bytes.u8(m, icmp + Icmp4.TYPE);
        if (type != Icmp4.DESTINATION_UNREACHABLE && type != Icmp4.TIME_EXCEEDED && type != Icmp4.PARAMETER_PROBLEM) {
            return;
        }
        long inner = icmp + Icmp4.HEADER_LENGTH;
        int innerHeader = (Bytes.u8(m, inner) & 0xf) << 2;
        int innerProto = Bytes.u8(m, inner + Ip4.PROTOCOL);
        if ((Bytes.u8(m, inner) >>> 4) != 4 || innerHeader < Ip4.MIN_HEADER_LENGTH
                || Icmp4.HEADER_LENGTH + innerHeader + 8 > icmpLength
                || (innerProto != Ip4.PROTOCOL_TCP && innerProto != Ip4.PROTOCOL_UDP)) {
            return;
        }
        long innerL4 = inner + innerHeader;
        int innerSrc = Bytes.i32(m, inner + Ip4.SOURCE);
        int innerDst = Bytes.i32(m, inner + Ip4.DESTINATION);
        int innerSport = Bytes.u16(m, innerL4);
        int innerDport = Bytes.u16(m, innerL4 + 2);
        if (!balancer.findReply(innerProto, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(innerDst), innerDport,
                FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(innerSrc), innerSport)) {
            return;
        }
        int vip = (int) balancer.reply.vipLow;
        int client = (int) balancer.reply.clientLow;
        // Inner header: destination backend → VIP, source SNAT address → client; its own checksums are
        // updated incrementally where the quote holds them (the L4 checksum may be cut off).
        int quotedL4 = icmpLength - Icmp4.HEADER_LENGTH - innerHeader;
        long innerDelta = NatChecksum.delta32(innerDst, vip) + NatChecksum.delta32(innerSrc, client);
        long portDelta = NatChecksum.delta16(innerDport, balancer.reply.vipPort)
                + NatChecksum.delta16(innerSport, balancer.reply.clientPort);
        Bytes.i32(m, inner + Ip4.DESTINATION, vip);
        Bytes.i32(m, inner + Ip4.SOURCE, client);
        Bytes.u16(m, innerL4 + 2, balancer.reply.vipPort);
        Bytes.u16(m, innerL4, balancer.reply.clientPort);
        NatChecksum.applyFull(m, inner + Ip4.CHECKSUM, innerDelta);
        if (innerProto == Ip4.PROTOCOL_TCP && quotedL4 >= Tcp.CHECKSUM + 2) {
            NatChecksum.applyFull(m, innerL4 + Tcp.CHECKSUM, innerDelta + portDelta);
        } else if (innerProto == Ip4.PROTOCOL_UDP) {
            NatChecksum.applyUdp(m, innerL4 + UDP_CHECKSUM, innerDelta + portDelta);
        }
        // Outer header: to the client; from the VIP when the backend itself sent the error.
        int outerSrc = Bytes.i32(m, ip + Ip4.SOURCE);
        int outerDst = Bytes.i32(m, ip + Ip4.DESTINATION);
        long outerDelta = NatChecksum.delta32(outerDst, client);
        Bytes.i32(m, ip + Ip4.DESTINATION, client);
        if (outerSrc == innerDst) {
            outerDelta += NatChecksum.delta32(outerSrc, vip);
            Bytes.i32(m, ip + Ip4.SOURCE, vip);
        }
        NatChecksum.applyFull(m, ip + Ip4.CHECKSUM, outerDelta);
        // The ICMP checksum covers the whole quote: recompute it (at most 576 bytes).
        Bytes.u16(m, icmp + Icmp4.CHECKSUM, 0);
        Bytes.u16(m, icmp + Icmp4.CHECKSUM, Checksum.compute(m, icmp, icmpLength));
        meta.unNated(f, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(outerSrc), 0); // related to a tracked flow
        balancer.replied(innerProto, 0, clock.nowNanos);
        counters.count(ICMP_UN_NAT);
    }
}
