package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.Icmp4;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Tcp;
import io.podswitch.policy.AddressClassifier;
import io.podswitch.policy.AddressInfo;
import io.podswitch.policy.CompiledPolicy;
import io.podswitch.service.FlowHash;

import java.lang.foreign.MemorySegment;

/**
 * ip4-policy, between ip4-lookup and ip4-rewrite (docs/network-policy.md, "Data path"): NetworkPolicy for
 * IPv4 packets from and to this node's pods. It sees packets after the service stage, so traffic to a
 * Service is judged against the backend it was sent to; a reply the service stage translated back is judged
 * by the source it had before ({@link FrameMetadata#UN_NATED}). Parsing here, deciding in {@link PolicyStage}:
 * <ul>
 *   <li>TCP, UDP, SCTP: connections keyed by ports (the first 4 bytes of each header);</li>
 *   <li>ICMP echo request/reply: keyed by the identifier (request: source port = id, destination port = 0;
 *       the reply mirrors it), only a request opens a connection;</li>
 *   <li>ICMP errors quoting a tracked connection's packet pass as related; others are plain ICMP;</li>
 *   <li>non-first fragments carry no ports: allowed only where every port of their protocol is;</li>
 *   <li>other protocols: allowed only by rules without ports.</li>
 * </ul>
 * Switch-built packets (ICMP errors, echo replies, RSTs) pass.
 */
final class Policy4Node extends PolicyNode {
    private static final int SCTP = 132;

    Policy4Node(GraphContext ctx, PolicyStage stage) {
        super("ip4-policy", ctx, stage);
    }

    @Override
    int judge(CompiledPolicy snap, AddressClassifier addresses, int f) {
        MemorySegment m = memory;
        long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
        int src = Bytes.i32(m, ip + Ip4.SOURCE);
        int dst = Bytes.i32(m, ip + Ip4.DESTINATION);
        boolean unNated = meta.has(f, FrameMetadata.UN_NATED);
        if (unNated) {
            src = (int) meta.natSourceLow[f]; // the backend's address: the connection was allowed with it
        }
        long srcInfo = addresses.lookup4(src);
        long dstInfo = addresses.lookup4(dst);
        if (AddressInfo.slot(srcInfo) < 0 && AddressInfo.slot(dstInfo) < 0) {
            return PolicyStage.TRANSIT;
        }
        int headerLength = (Bytes.u8(m, ip) & 0xf) << 2;
        int l4Length = Bytes.u16(m, ip + Ip4.TOTAL_LENGTH) - headerLength;
        int proto = Bytes.u8(m, ip + Ip4.PROTOCOL);
        long l4 = ip + headerLength;
        long sh = FlowHash.IPV4_MAPPED_HIGH;
        long sl = FlowHash.ipv4MappedLow(src);
        long dh = FlowHash.IPV4_MAPPED_HIGH;
        long dl = FlowHash.ipv4MappedLow(dst);
        long now = clock.nowNanos;
        if ((Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT) & Ip4.FRAGMENT_OFFSET_MASK) != 0) {
            int r = stage.judge(snap, proto, sh, sl, 0, dh, dl, -1, srcInfo, dstInfo, false, false, 0, false, now);
            if (PolicyStage.isDrop(r)) {
                counters.count(PolicyStage.FRAGMENT);
            }
            return r;
        }
        if (proto == Ip4.PROTOCOL_TCP || proto == Ip4.PROTOCOL_UDP || proto == SCTP) {
            if (l4Length < 4) {
                return stage.judge(snap, proto, sh, sl, 0, dh, dl, -1, srcInfo, dstInfo, false, false, 0, false, now);
            }
            int sport = unNated ? meta.natSourcePort[f] : Bytes.u16(m, l4);
            int dport = Bytes.u16(m, l4 + 2);
            int flags = proto == Ip4.PROTOCOL_TCP && l4Length > Tcp.FLAGS ? Bytes.u8(m, l4 + Tcp.FLAGS) : 0;
            return stage.judge(snap, proto, sh, sl, sport, dh, dl, dport, srcInfo, dstInfo, true, true, flags, false, now);
        }
        if (proto == Ip4.PROTOCOL_ICMP && l4Length >= Icmp4.HEADER_LENGTH) {
            int type = Bytes.u8(m, l4 + Icmp4.TYPE);
            int id = Bytes.u16(m, l4 + Icmp4.REST);
            if (type == Icmp4.ECHO_REQUEST) {
                return stage.judge(snap, proto, sh, sl, id, dh, dl, 0, srcInfo, dstInfo, true, true, 0, false, now);
            }
            if (type == Icmp4.ECHO_REPLY) {
                return stage.judge(snap, proto, sh, sl, 0, dh, dl, id, srcInfo, dstInfo, true, false, 0, false, now);
            }
            if ((type == Icmp4.DESTINATION_UNREACHABLE || type == Icmp4.TIME_EXCEEDED || type == Icmp4.PARAMETER_PROBLEM)
                    && (unNated || quotesTracked(m, l4, l4Length, now))) {
                return PolicyStage.RELATED;
            }
        }
        return stage.judge(snap, proto, sh, sl, 0, dh, dl, -1, srcInfo, dstInfo, false, false, 0, false, now);
    }

    /** Does the ICMP error quote (an IPv4 header and 8 bytes of ports) a packet of a tracked connection? */
    private boolean quotesTracked(MemorySegment m, long icmp, int icmpLength, long now) {
        long inner = icmp + Icmp4.HEADER_LENGTH;
        if (icmpLength < Icmp4.HEADER_LENGTH + Ip4.MIN_HEADER_LENGTH + 8 || (Bytes.u8(m, inner) >>> 4) != 4) {
            return false;
        }
        int innerHeader = (Bytes.u8(m, inner) & 0xf) << 2;
        int proto = Bytes.u8(m, inner + Ip4.PROTOCOL);
        if (innerHeader < Ip4.MIN_HEADER_LENGTH || Icmp4.HEADER_LENGTH + innerHeader + 8 > icmpLength) {
            return false;
        }
        long l4 = inner + innerHeader;
        int sport;
        int dport;
        if (proto == Ip4.PROTOCOL_TCP || proto == Ip4.PROTOCOL_UDP || proto == SCTP) {
            sport = Bytes.u16(m, l4);
            dport = Bytes.u16(m, l4 + 2);
        } else if (proto == Ip4.PROTOCOL_ICMP && Bytes.u8(m, l4) == Icmp4.ECHO_REQUEST) {
            sport = Bytes.u16(m, l4 + Icmp4.REST);
            dport = 0;
        } else {
            return false;
        }
        return stage.tracked(proto, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(Bytes.i32(m, inner + Ip4.SOURCE)),
                sport, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(Bytes.i32(m, inner + Ip4.DESTINATION)), dport, now);
    }
}
