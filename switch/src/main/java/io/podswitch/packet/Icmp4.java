package io.podswitch.packet;

/**
 * ICMP for IPv4 (RFC 792), offsets from the start of the ICMP header.
 *
 * <pre>
 *  0               1               2               3
 * +---------------+---------------+-------------------------------+
 * |     Type      |     Code      |           Checksum            |  0
 * +---------------+---------------+-------------------------------+
 * | echo: Identifier | Sequence   | errors: unused (frag needed:  |  4
 * |                               |  unused 16 bits, next-hop MTU)|
 * +-------------------------------+-------------------------------+
 * | echo data ... / errors: original IP header + leading payload  |  8
 * </pre>
 */
public final class Icmp4 {
    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    public static final int REST = 4;
    /** Next-hop MTU of a "fragmentation needed" error (RFC 1191). */
    public static final int NEXT_HOP_MTU = 6;
    public static final int HEADER_LENGTH = 8;

    public static final int ECHO_REPLY = 0;
    public static final int DESTINATION_UNREACHABLE = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;

    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_TTL_EXCEEDED = 0;

    /** Largest ICMP error datagram (RFC 1812 4.3.2.3: as much of the original as fits in 576 bytes). */
    public static final int MAX_ERROR_DATAGRAM = 576;

    private Icmp4() {
    }

    /** Types that report an error; no error is ever sent about one of these (RFC 1812 4.3.2.7). */
    public static boolean isError(int type) {
        return type == DESTINATION_UNREACHABLE || type == SOURCE_QUENCH || type == REDIRECT
                || type == TIME_EXCEEDED || type == PARAMETER_PROBLEM;
    }
}
