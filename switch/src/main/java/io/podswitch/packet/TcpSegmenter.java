package io.podswitch.packet;

import java.lang.foreign.MemorySegment;

/**
 * Software TCP segmentation (GSO) for egress ports that cannot take super-frames: cuts a TCP/IPv4 or
 * TCP/IPv6 GSO frame into normal frames of at most {@code gsoSize} payload bytes each, as the kernel's
 * tcp_gso_segment does.
 *
 * <pre>
 *  GSO frame:   | eth | ip | tcp | payload (up to 64 KiB) ...................................... |
 *                 \_____ headers _____/  \__ gsoSize __/\__ gsoSize __/ ... \__ rest __/
 *  segment i:   | eth | ip' | tcp' | payload bytes [i*gsoSize, min((i+1)*gsoSize, end)) |
 *     ip'  IPv4: total length, identification + i, header checksum recomputed
 *          IPv6: payload length
 *     tcp' sequence + i*gsoSize; FIN and PSH only on the last segment, CWR only on the first;
 *          full checksum over pseudo-header, header and payload (nothing is left partial)
 * </pre>
 *
 * One copy per segment (headers + payload), which is the price of an egress without TSO; the point of
 * the large-frame path is that pod-to-pod traffic between TAPs with offloads never comes here.
 */
public final class TcpSegmenter {
    /** Not TCP over IPv4/IPv6 (an IPv6 extension header counts as not), or headers beyond the packet. */
    public static final int MALFORMED = -1;
    /** The pool ran out of normal frames; nothing was emitted. */
    public static final int NO_FRAME = -2;
    /** More segments than the output vector has room for, or one segment larger than a normal frame. */
    public static final int TOO_MANY_SEGMENTS = -3;

    private final FrameSlab slab;
    private final MemorySegment m;

    public TcpSegmenter(FrameSlab slab) {
        this.slab = slab;
        this.m = slab.memory();
    }

    /**
     * Cuts {@code frame} into segments appended to {@code out}.
     * @return the number of segments, after which {@code frame} has been freed; or a negative error
     *     ({@link #MALFORMED}, {@link #NO_FRAME}, {@link #TOO_MANY_SEGMENTS}) with {@code frame} and
     *     {@code out} untouched — the caller still owns the frame
     */
    public int segment(int frame, FrameCache cache, PacketVector out) {
        long data = slab.dataStart(frame);
        int length = slab.length(frame);
        if (length < Ethernet.HEADER_LENGTH + Ip6.HEADER_LENGTH) {
            return MALFORMED;
        }
        int l3 = Ethernet.HEADER_LENGTH;
        int type = Bytes.u16(m, data + Ethernet.TYPE);
        if (type == Ethernet.TYPE_VLAN) {
            l3 += Ethernet.VLAN_TAG_LENGTH;
            type = Bytes.u16(m, data + Ethernet.TYPE + Ethernet.VLAN_TAG_LENGTH);
        }
        long ip = data + l3;
        boolean v4;
        int l4;
        if (type == Ethernet.TYPE_IP4) {
            int ihl = (Bytes.u8(m, ip + Ip4.VERSION_IHL) & 0x0f) * 4;
            if (ihl < Ip4.MIN_HEADER_LENGTH || Bytes.u8(m, ip + Ip4.PROTOCOL) != Ip4.PROTOCOL_TCP) {
                return MALFORMED;
            }
            v4 = true;
            l4 = l3 + ihl;
        } else if (type == Ethernet.TYPE_IP6) {
            if (Bytes.u8(m, ip + Ip6.NEXT_HEADER) != Ip4.PROTOCOL_TCP) {
                return MALFORMED;
            }
            v4 = false;
            l4 = l3 + Ip6.HEADER_LENGTH;
        } else {
            return MALFORMED;
        }
        if (l4 + Tcp.MIN_HEADER_LENGTH > length) {
            return MALFORMED;
        }
        long tcp = data + l4;
        int tcpHeader = Tcp.headerLength(m, tcp);
        int headers = l4 + tcpHeader;
        int mss = slab.gsoSize(frame);
        if (tcpHeader < Tcp.MIN_HEADER_LENGTH || headers > length || mss == 0) {
            return MALFORMED;
        }
        int payload = length - headers;
        int segments = payload == 0 ? 1 : (payload + mss - 1) / mss;
        if (segments > out.free() || headers + Math.min(mss, payload) > slab.frameSize() - slab.headroom()) {
            return TOO_MANY_SEGMENTS;
        }
        int first = out.size();
        int seq0 = Bytes.i32(m, tcp + Tcp.SEQUENCE);
        int flags0 = Bytes.u8(m, tcp + Tcp.FLAGS);
        int id0 = v4 ? Bytes.u16(m, ip + Ip4.IDENTIFICATION) : 0;
        int inPort = slab.inPort(frame);
        for (int i = 0; i < segments; i++) {
            int seg = cache.allocate();
            if (seg < 0) {
                for (int j = first; j < out.size(); j++) {
                    cache.free(out.frame(j));
                }
                out.truncate(first);
                return NO_FRAME;
            }
            int offset = i * mss;
            int segPayload = Math.min(mss, payload - offset);
            long s = slab.dataStart(seg);
            MemorySegment.copy(m, data, m, s, headers);
            MemorySegment.copy(m, data + headers + offset, m, s + headers, segPayload);
            slab.setLength(seg, headers + segPayload);
            slab.setInPort(seg, inPort);
            long sip = s + l3;
            long stcp = s + l4;
            int tcpLength = tcpHeader + segPayload;
            long pseudo;
            if (v4) {
                int ihl = l4 - l3;
                Bytes.u16(m, sip + Ip4.TOTAL_LENGTH, ihl + tcpLength);
                Bytes.u16(m, sip + Ip4.IDENTIFICATION, (id0 + i) & 0xffff);
                Bytes.u16(m, sip + Ip4.CHECKSUM, 0);
                Bytes.u16(m, sip + Ip4.CHECKSUM, Checksum.compute(m, sip, ihl));
                pseudo = Checksum.add(m, sip + Ip4.SOURCE, 8, 0) + Ip4.PROTOCOL_TCP + tcpLength;
            } else {
                Bytes.u16(m, sip + Ip6.PAYLOAD_LENGTH, tcpLength);
                pseudo = Checksum.pseudoHeader6(m, sip, tcpLength, Ip4.PROTOCOL_TCP);
            }
            int flags = flags0;
            if (i > 0) {
                flags &= ~Tcp.FLAG_CWR;
            }
            if (i < segments - 1) {
                flags &= ~(Tcp.FLAG_FIN | Tcp.FLAG_PSH);
            }
            Bytes.i32(m, stcp + Tcp.SEQUENCE, seq0 + offset);
            Bytes.u8(m, stcp + Tcp.FLAGS, flags);
            Bytes.u16(m, stcp + Tcp.CHECKSUM, 0);
            Bytes.u16(m, stcp + Tcp.CHECKSUM, Checksum.finish(Checksum.add(m, stcp, tcpLength, pseudo)));
            out.add(seg);
        }
        cache.free(frame);
        return segments;
    }

    /**
     * Copies a large frame that holds no GSO packet (it fits a normal frame) into a normal frame, for
     * ports that can only send normal frames.
     * @return the new frame (the large one freed), or -1 (nothing changed) when it does not fit or the
     *     pool is empty
     */
    public int copyToNormal(int frame, FrameCache cache) {
        int length = slab.length(frame);
        if (length > slab.frameSize() - slab.headroom()) {
            return -1;
        }
        int copy = cache.allocate();
        if (copy < 0) {
            return -1;
        }
        MemorySegment.copy(m, slab.dataStart(frame), m, slab.dataStart(copy), length);
        slab.setLength(copy, length);
        slab.setInPort(copy, slab.inPort(frame));
        slab.copyOffload(frame, copy);
        cache.free(frame);
        return copy;
    }

    /**
     * The IPv4 total length of the largest segment a GSO frame will be cut into (IP header + TCP
     * header + gsoSize): what an MTU check must compare, since the super-frame itself never goes on a
     * wire. {@code ip} is the IPv4 header's offset in {@code m}; the TCP header must be in the packet.
     */
    public static int segmentLength4(MemorySegment m, long ip, int gsoSize) {
        int ihl = (Bytes.u8(m, ip + Ip4.VERSION_IHL) & 0x0f) * 4;
        return ihl + Tcp.headerLength(m, ip + ihl) + gsoSize;
    }

    /** As {@link #segmentLength4} for IPv6: 40 + TCP header + gsoSize. */
    public static int segmentLength6(MemorySegment m, long ip, int gsoSize) {
        return Ip6.HEADER_LENGTH + Tcp.headerLength(m, ip + Ip6.HEADER_LENGTH) + gsoSize;
    }
}
