package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.Icmp6;
import io.podswitch.packet.Ip6;
import io.podswitch.packet.Tcp;
import io.podswitch.policy.AddressClassifier;
import io.podswitch.policy.AddressInfo;
import io.podswitch.policy.CompiledPolicy;

import java.lang.foreign.MemorySegment;

/**
 * ip6-policy, between ip6-lookup and ip6-rewrite: {@link Policy4Node} for IPv6. The upper-layer header is
 * found behind at most {@value #MAX_EXTENSION_HEADERS} extension headers (hop-by-hop, routing, destination
 * options, fragment); a fragment header with a non-zero offset makes a packet without ports, more headers
 * than that (or an unknown one) make a packet of "another protocol", which only rules without ports allow.
 * ICMPv6 echo (128/129) is keyed like ICMP echo; errors (1–4) quoting a tracked connection pass as related.
 */
final class Policy6Node extends PolicyNode {
    static final int MAX_EXTENSION_HEADERS = 4;
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int SCTP = 132;
    private static final int HOP_BY_HOP = 0;
    private static final int ROUTING = 43;
    private static final int FRAGMENT = 44;
    private static final int DESTINATION_OPTIONS = 60;

    /** Scratch of {@link #upperLayer}: the upper-layer header's offset from the IPv6 header, or -1 for a non-first fragment. */
    private int upperOffset;

    Policy6Node(GraphContext ctx, PolicyStage stage) {
        super("ip6-policy", ctx, stage);
    }

    @Override
    int judge(CompiledPolicy snap, AddressClassifier addresses, int f) {
        MemorySegment m = memory;
        long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
        boolean unNated = meta.has(f, FrameMetadata.UN_NATED);
        long sh = unNated ? meta.natSourceHigh[f] : Bytes.i64(m, ip + Ip6.SOURCE);
        long sl = unNated ? meta.natSourceLow[f] : Bytes.i64(m, ip + Ip6.SOURCE + 8);
        long dh = Bytes.i64(m, ip + Ip6.DESTINATION);
        long dl = Bytes.i64(m, ip + Ip6.DESTINATION + 8);
        long srcInfo = addresses.lookup6(sh, sl);
        long dstInfo = addresses.lookup6(dh, dl);
        if (AddressInfo.slot(srcInfo) < 0 && AddressInfo.slot(dstInfo) < 0) {
            return PolicyStage.TRANSIT;
        }
        int payload = Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH);
        int proto = upperLayer(m, ip, payload);
        long now = clock.nowNanos;
        if (upperOffset < 0) {
            int r = stage.judge(snap, proto, sh, sl, 0, dh, dl, -1, srcInfo, dstInfo, false, false, 0, true, now);
            if (PolicyStage.isDrop(r)) {
                counters.count(PolicyStage.FRAGMENT);
            }
            return r;
        }
        long l4 = ip + upperOffset;
        int l4Length = Ip6.HEADER_LENGTH + payload - upperOffset;
        if (proto == TCP || proto == UDP || proto == SCTP) {
            if (l4Length < 4) {
                return stage.judge(snap, proto, sh, sl, 0, dh, dl, -1, srcInfo, dstInfo, false, false, 0, true, now);
            }
            int sport = unNated ? meta.natSourcePort[f] : Bytes.u16(m, l4);
            int dport = Bytes.u16(m, l4 + 2);
            int flags = proto == TCP && l4Length > Tcp.FLAGS ? Bytes.u8(m, l4 + Tcp.FLAGS) : 0;
            return stage.judge(snap, proto, sh, sl, sport, dh, dl, dport, srcInfo, dstInfo, true, true, flags, true, now);
        }
        if (proto == Ip6.NEXT_HEADER_ICMP6 && l4Length >= Icmp6.HEADER_LENGTH) {
            int type = Bytes.u8(m, l4 + Icmp6.TYPE);
            int id = Bytes.u16(m, l4 + Icmp6.BODY);
            if (type == Icmp6.ECHO_REQUEST) {
                return stage.judge(snap, proto, sh, sl, id, dh, dl, 0, srcInfo, dstInfo, true, true, 0, true, now);
            }
            if (type == Icmp6.ECHO_REPLY) {
                return stage.judge(snap, proto, sh, sl, 0, dh, dl, id, srcInfo, dstInfo, true, false, 0, true, now);
            }
            if (type >= Icmp6.DESTINATION_UNREACHABLE && type <= Icmp6.PARAMETER_PROBLEM
                    && (unNated || quotesTracked(m, l4, l4Length, now))) {
                return PolicyStage.RELATED;
            }
        }
        return stage.judge(snap, proto, sh, sl, 0, dh, dl, -1, srcInfo, dstInfo, false, false, 0, true, now);
    }

    /**
     * The upper-layer protocol behind the extension headers the payload holds; sets {@link #upperOffset} to its
     * offset from the IPv6 header (-1 for a non-first fragment). A header that does not fit, or more than
     * {@value #MAX_EXTENSION_HEADERS} of them, returns the extension header's own number (judged as "another
     * protocol").
     */
    private int upperLayer(MemorySegment m, long ip, int payload) {
        int next = Bytes.u8(m, ip + Ip6.NEXT_HEADER);
        int offset = Ip6.HEADER_LENGTH;
        int end = Ip6.HEADER_LENGTH + payload;
        for (int i = 0; i < MAX_EXTENSION_HEADERS; i++) {
            if (next != HOP_BY_HOP && next != ROUTING && next != FRAGMENT && next != DESTINATION_OPTIONS) {
                break;
            }
            if (offset + 8 > end) {
                upperOffset = offset;
                return next;
            }
            int following = Bytes.u8(m, ip + offset);
            if (next == FRAGMENT) {
                if ((Bytes.u16(m, ip + offset + 2) & 0xfff8) != 0) {
                    upperOffset = -1;
                    return following;
                }
                offset += 8;
            } else {
                offset += (Bytes.u8(m, ip + offset + 1) + 1) * 8;
            }
            next = following;
        }
        upperOffset = offset;
        return next;
    }

    /** Does the ICMPv6 error quote (an IPv6 header and 8 bytes of ports) a packet of a tracked connection? */
    private boolean quotesTracked(MemorySegment m, long icmp, int icmpLength, long now) {
        long inner = icmp + Icmp6.HEADER_LENGTH;
        if (icmpLength < Icmp6.HEADER_LENGTH + Ip6.HEADER_LENGTH + 8 || (Bytes.u8(m, inner) >>> 4) != 6) {
            return false;
        }
        int proto = Bytes.u8(m, inner + Ip6.NEXT_HEADER);
        long l4 = inner + Ip6.HEADER_LENGTH;
        int sport;
        int dport;
        if (proto == TCP || proto == UDP || proto == SCTP) {
            sport = Bytes.u16(m, l4);
            dport = Bytes.u16(m, l4 + 2);
        } else if (proto == Ip6.NEXT_HEADER_ICMP6 && Bytes.u8(m, l4) == Icmp6.ECHO_REQUEST) {
            sport = Bytes.u16(m, l4 + Icmp6.BODY);
            dport = 0;
        } else {
            return false;
        }
        return stage.tracked(proto, Bytes.i64(m, inner + Ip6.SOURCE), Bytes.i64(m, inner + Ip6.SOURCE + 8), sport,
                Bytes.i64(m, inner + Ip6.DESTINATION), Bytes.i64(m, inner + Ip6.DESTINATION + 8), dport, now);
    }
}
