package io.podswitch.port.udp;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * Reads what the kernel needs from a complete outer tunnel frame handed to the UDP port: outer IP
 * family, destination address and UDP destination port, and where the UDP payload (tunnel header +
 * inner frame) lies. The outer Ethernet header, IP header and UDP header themselves are not sent:
 * the kernel builds its own.
 *
 * <pre>
 *  frame handed to transmit (from the Encapsulator)
 *  +----------+-------------------+---------+---------------------------------------+
 *  | Ethernet | IPv4 (IHL) / IPv6 | UDP (8) | VXLAN/Geneve header + inner frame     |
 *  |  ignored | dst addr -> name  | dport   | = the datagram sendmmsg sends (iovec) |
 *  +----------+-------------------+---------+---------------------------------------+
 * </pre>
 *
 * Accepts only what can be sent as one datagram from our socket: untagged IPv4 (IHL &ge; 5, not a
 * fragment) or IPv6 (no extension headers) carrying UDP, every length consistent with the frame,
 * destination port not 0, outer source = the socket's local address (a different source cannot be
 * sent from the bound socket, and the peer would reject it as an unknown peer). Everything is read
 * inside the frame's length; bad input gives a {@link #parse} code, never an exception.
 * One per port, single-threaded; results are left in fields (no allocation).
 */
final class OuterFrameParser {
    /** Parsed; the fields describe the datagram. */
    static final int OK = 0;
    /** Shorter than its headers, lengths inconsistent, IPv4 fragment, destination port 0. */
    static final int MALFORMED = 1;
    /** Not IPv4/IPv6 carrying UDP (ARP, ICMP, VLAN-tagged, extension headers ...). */
    static final int NOT_UDP = 2;
    /** Outer source address is not the socket's local address. */
    static final int WRONG_SOURCE = 3;
    /** No socket of the outer IP family is open on this port. */
    static final int NO_SOCKET = 4;

    private final boolean has4;
    private final int local4;
    private final boolean has6;
    private final long local6High;
    private final long local6Low;

    // Results of the last successful parse.
    boolean ip6;
    int destination4;
    long destination6High;
    long destination6Low;
    int destinationPort;
    /** Offset of the UDP payload from the frame's data start. */
    int payloadOffset;
    int payloadLength;
    /** Outer IP packet length (IP header + UDP), for the MTU check. */
    int ipLength;

    OuterFrameParser(boolean has4, int local4, boolean has6, long local6High, long local6Low) {
        this.has4 = has4;
        this.local4 = local4;
        this.has6 = has6;
        this.local6High = local6High;
        this.local6Low = local6Low;
    }

    /** Parses the {@code length} bytes at {@code p}; returns {@link #OK} or a failure code. */
    int parse(MemorySegment m, long p, int length) {
        if (length < Ethernet.HEADER_LENGTH) {
            return MALFORMED;
        }
        int type = Bytes.u16(m, p + Ethernet.TYPE);
        long ip = p + Ethernet.HEADER_LENGTH;
        int available = length - Ethernet.HEADER_LENGTH;
        int ipPayload;
        int headerLength;
        if (type == Ethernet.TYPE_IP4) {
            if (available < Ip4.MIN_HEADER_LENGTH) {
                return MALFORMED;
            }
            int versionIhl = Bytes.u8(m, ip + Ip4.VERSION_IHL);
            headerLength = (versionIhl & 0xf) * 4;
            if ((versionIhl >>> 4) != 4 || headerLength < Ip4.MIN_HEADER_LENGTH) {
                return MALFORMED;
            }
            if (Bytes.u8(m, ip + Ip4.PROTOCOL) != Ip4.PROTOCOL_UDP) {
                return NOT_UDP;
            }
            int total = Bytes.u16(m, ip + Ip4.TOTAL_LENGTH);
            if (total > available || total < headerLength
                    || (Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT) & (Ip4.FLAG_MF | Ip4.FRAGMENT_OFFSET_MASK)) != 0) {
                return MALFORMED;
            }
            if (!has4) {
                return NO_SOCKET;
            }
            if (Bytes.i32(m, ip + Ip4.SOURCE) != local4) {
                return WRONG_SOURCE;
            }
            ipPayload = total - headerLength;
            ip6 = false;
            destination4 = Bytes.i32(m, ip + Ip4.DESTINATION);
        } else if (type == Ethernet.TYPE_IP6) {
            headerLength = Ip6.HEADER_LENGTH;
            if (available < headerLength) {
                return MALFORMED;
            }
            if ((Bytes.u8(m, ip) >>> 4) != 6) {
                return MALFORMED;
            }
            if (Bytes.u8(m, ip + Ip6.NEXT_HEADER) != Ip6.NEXT_HEADER_UDP) {
                return NOT_UDP;
            }
            ipPayload = Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH);
            if (ipPayload > available - headerLength) {
                return MALFORMED;
            }
            if (!has6) {
                return NO_SOCKET;
            }
            if (Bytes.i64(m, ip + Ip6.SOURCE) != local6High || Bytes.i64(m, ip + Ip6.SOURCE + 8) != local6Low) {
                return WRONG_SOURCE;
            }
            ip6 = true;
            destination6High = Bytes.i64(m, ip + Ip6.DESTINATION);
            destination6Low = Bytes.i64(m, ip + Ip6.DESTINATION + 8);
        } else {
            return NOT_UDP;
        }
        if (ipPayload < OuterHeaderSynthesizer.UDP_HEADER_LENGTH) {
            return MALFORMED;
        }
        long udp = ip + headerLength;
        int udpLength = Bytes.u16(m, udp + OuterHeaderSynthesizer.UDP_LENGTH);
        destinationPort = Bytes.u16(m, udp + OuterHeaderSynthesizer.UDP_DESTINATION_PORT);
        if (udpLength < OuterHeaderSynthesizer.UDP_HEADER_LENGTH || udpLength > ipPayload || destinationPort == 0) {
            return MALFORMED;
        }
        payloadOffset = Ethernet.HEADER_LENGTH + headerLength + OuterHeaderSynthesizer.UDP_HEADER_LENGTH;
        payloadLength = udpLength - OuterHeaderSynthesizer.UDP_HEADER_LENGTH;
        ipLength = headerLength + udpLength;
        return OK;
    }
}
