package io.podswitch.port.udp;

import io.podswitch.nativeio.SockAddr;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * Rebuilds, in front of a received datagram, the outer headers the kernel consumed, so the frame
 * looks exactly as if it had arrived on an Ethernet uplink and the graph's overlay-decap and
 * {@code Decapsulator} treat it like any tunnel frame. {@code recvmmsg} put the datagram at
 * {@link #headerLength()} bytes past the frame's data start; this fills the gap:
 *
 * <pre>
 *  frame: headroom | Ethernet (14) | IPv4 (20) or IPv6 (40) | UDP (8) | datagram (from recvmmsg)   |
 *                  ^ data start                                       ^ data start + 42 / 62
 *
 *  Ethernet   dst = port MAC (the uplink Interface's), src = {@link #UNDERLAY_MAC}, type 0800 / 86dd
 *  IPv4       45 00 | total length | id 0 | DF | TTL 64 | UDP | header checksum (valid)
 *             src = sender (msg_name) | dst = the socket's local address
 *  IPv6       6 | tc 0 | flow 0 | payload length | UDP | hop limit 64
 *             src = sender (msg_name) | dst = the socket's local address
 *  UDP        sport = sender's port | dport = local port | length = 8 + datagram
 *             checksum: 0 over IPv4; over IPv6 computed over pseudo-header + UDP + datagram
 * </pre>
 *
 * The IPv4 header checksum comes from a precomputed sum of the constant words plus length and
 * source (no pass over the header). Over IPv6 the UDP checksum is really computed: the kernel has
 * already verified the sender's, but the {@code Decapsulator} (like RFC 8200) refuses a zero UDP
 * checksum over IPv6, and a fake non-zero value would fail its verification — so the cost is one
 * read pass over the datagram (the Decapsulator reads it once more to verify). Over IPv4 0 means
 * "no checksum" and is accepted. One per socket; allocation free.
 */
final class OuterHeaderSynthesizer {
    static final int UDP_SOURCE_PORT = 0;
    static final int UDP_DESTINATION_PORT = 2;
    static final int UDP_LENGTH = 4;
    static final int UDP_CHECKSUM = 6;
    static final int UDP_HEADER_LENGTH = 8;
    /** Outer headers in front of the datagram: 14 + 20 + 8 (IPv4) or 14 + 40 + 8 (IPv6). */
    static final int HEADER_LENGTH_4 = Ethernet.HEADER_LENGTH + Ip4.MIN_HEADER_LENGTH + UDP_HEADER_LENGTH;
    static final int HEADER_LENGTH_6 = Ethernet.HEADER_LENGTH + Ip6.HEADER_LENGTH + UDP_HEADER_LENGTH;
    /**
     * Source MAC of synthesised frames: locally administered, unicast, "udp" in its last three bytes.
     * The real underlay next hop is unknown to a socket; nothing downstream reads this address for
     * tunnel frames (ethernet-input only checks it is unicast).
     */
    static final long UNDERLAY_MAC = 0x02_00_00_75_64_70L;

    private final boolean ip6;
    private final long portMac;
    private final int localPort;
    private final int local4;
    private final long local6High;
    private final long local6Low;
    /** IPv4: sum of the header's constant words (everything but total length, source, checksum). */
    private final long ip4FixedSum;
    /** IPv6: pseudo-header sum of the destination and the next header (UDP). */
    private final long pseudo6FixedSum;

    /** For an IPv4 socket bound to {@code local4}:{@code localPort}. */
    static OuterHeaderSynthesizer ip4(long portMac, int local4, int localPort) {
        return new OuterHeaderSynthesizer(false, portMac, localPort, local4, 0, 0);
    }

    /** For an IPv6 socket bound to [{@code high}:{@code low}]:{@code localPort}. */
    static OuterHeaderSynthesizer ip6(long portMac, long high, long low, int localPort) {
        return new OuterHeaderSynthesizer(true, portMac, localPort, 0, high, low);
    }

    private OuterHeaderSynthesizer(boolean ip6, long portMac, int localPort, int local4, long local6High,
                                   long local6Low) {
        this.ip6 = ip6;
        this.portMac = portMac;
        this.localPort = localPort;
        this.local4 = local4;
        this.local6High = local6High;
        this.local6Low = local6Low;
        this.ip4FixedSum = 0x4500L + Ip4.FLAG_DF + ((Ip4.DEFAULT_TTL << 8) | Ip4.PROTOCOL_UDP)
                + (local4 >>> 16) + (local4 & 0xffff);
        this.pseudo6FixedSum = words(local6High) + words(local6Low) + Ip6.NEXT_HEADER_UDP;
    }

    private static long words(long v) {
        return ((v >>> 48) & 0xffff) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
    }

    /** Bytes written in front of the datagram: 42 (IPv4) or 62 (IPv6). */
    int headerLength() {
        return ip6 ? HEADER_LENGTH_6 : HEADER_LENGTH_4;
    }

    /**
     * Writes the outer headers at {@code p} (frame data start) for the {@code datagramLength}-byte
     * datagram at {@code p + headerLength()}, sent from the sockaddr at {@code nameOffset} in
     * {@code names}. Returns the frame length.
     */
    int write(MemorySegment m, long p, int datagramLength, MemorySegment names, long nameOffset) {
        Bytes.mac(m, p + Ethernet.DESTINATION, portMac);
        Bytes.mac(m, p + Ethernet.SOURCE, UNDERLAY_MAC);
        long ip = p + Ethernet.HEADER_LENGTH;
        int udpLength = UDP_HEADER_LENGTH + datagramLength;
        int sourcePort = Bytes.u16(names, nameOffset + SockAddr.PORT);
        long udp;
        if (ip6) {
            Bytes.u16(m, p + Ethernet.TYPE, Ethernet.TYPE_IP6);
            Bytes.i32(m, ip, 0x6000_0000);
            Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH, udpLength);
            Bytes.u8(m, ip + Ip6.NEXT_HEADER, Ip6.NEXT_HEADER_UDP);
            Bytes.u8(m, ip + Ip6.HOP_LIMIT, Ip6.DEFAULT_HOP_LIMIT);
            long sourceHigh = Bytes.i64(names, nameOffset + SockAddr.IN6_ADDR);
            long sourceLow = Bytes.i64(names, nameOffset + SockAddr.IN6_ADDR + 8);
            Bytes.i64(m, ip + Ip6.SOURCE, sourceHigh);
            Bytes.i64(m, ip + Ip6.SOURCE + 8, sourceLow);
            Bytes.i64(m, ip + Ip6.DESTINATION, local6High);
            Bytes.i64(m, ip + Ip6.DESTINATION + 8, local6Low);
            udp = ip + Ip6.HEADER_LENGTH;
            writeUdp(m, udp, sourcePort, udpLength);
            long sum = Checksum.add(m, udp, udpLength,
                    pseudo6FixedSum + words(sourceHigh) + words(sourceLow) + udpLength);
            int checksum = Checksum.finish(sum);
            Bytes.u16(m, udp + UDP_CHECKSUM, checksum == 0 ? 0xffff : checksum);
            return HEADER_LENGTH_6 + datagramLength;
        }
        Bytes.u16(m, p + Ethernet.TYPE, Ethernet.TYPE_IP4);
        int totalLength = Ip4.MIN_HEADER_LENGTH + udpLength;
        int source = Bytes.i32(names, nameOffset + SockAddr.IN_ADDR);
        Bytes.u16(m, ip + Ip4.VERSION_IHL, 0x4500);
        Bytes.u16(m, ip + Ip4.TOTAL_LENGTH, totalLength);
        Bytes.i32(m, ip + Ip4.IDENTIFICATION, Ip4.FLAG_DF);
        Bytes.u16(m, ip + Ip4.TTL, (Ip4.DEFAULT_TTL << 8) | Ip4.PROTOCOL_UDP);
        Bytes.u16(m, ip + Ip4.CHECKSUM,
                Checksum.finish(ip4FixedSum + totalLength + (source >>> 16) + (source & 0xffff)));
        Bytes.i32(m, ip + Ip4.SOURCE, source);
        Bytes.i32(m, ip + Ip4.DESTINATION, local4);
        udp = ip + Ip4.MIN_HEADER_LENGTH;
        writeUdp(m, udp, sourcePort, udpLength);
        return HEADER_LENGTH_4 + datagramLength;
    }

    private void writeUdp(MemorySegment m, long udp, int sourcePort, int udpLength) {
        Bytes.u16(m, udp + UDP_SOURCE_PORT, sourcePort);
        Bytes.u16(m, udp + UDP_DESTINATION_PORT, localPort);
        Bytes.u16(m, udp + UDP_LENGTH, udpLength);
        Bytes.u16(m, udp + UDP_CHECKSUM, 0);
    }
}
