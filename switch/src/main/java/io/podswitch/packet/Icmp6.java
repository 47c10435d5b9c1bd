package io.podswitch.packet;

/**
 * ICMPv6 (RFC 4443) and neighbour discovery (RFC 4861), offsets from the start of the ICMPv6 header.
 *
 * <pre>
 *  0               1               2               3
 * +---------------+---------------+-------------------------------+
 * |     Type      |     Code      |           Checksum            |  0
 * +---------------+---------------+-------------------------------+
 * | echo: Identifier / Sequence; packet too big: MTU; NA: R S O   |  4
 * +---------------------------------------------------------------+
 *
 *  Neighbour solicitation (135) / advertisement (136):
 * +---------------+---------------+-------------------------------+
 * |  135 / 136    |       0       |           Checksum            |  0
 * +-+-+-+---------+---------------+-------------------------------+
 * |R|S|O|                   Reserved (NS: all reserved)           |  4
 * +-+-+-+---------------------------------------------------------+
 * |                    Target Address (128 bits)                  |  8
 * +---------------+---------------+-------------------------------+
 * |  Option type  | Length (x8 B) | link-layer address (6 bytes)  | 24
 * +---------------+---------------+-------------------------------+
 * </pre>
 * The checksum covers the IPv6 pseudo-header (source, destination, upper-layer length, next header 58).
 */
public final class Icmp6 {
    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    public static final int BODY = 4;
    public static final int HEADER_LENGTH = 8;

    public static final int DESTINATION_UNREACHABLE = 1;
    public static final int PACKET_TOO_BIG = 2;
    public static final int TIME_EXCEEDED = 3;
    public static final int PARAMETER_PROBLEM = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;

    public static final int CODE_NO_ROUTE = 0;
    public static final int CODE_ADDRESS_UNREACHABLE = 3;
    public static final int CODE_HOP_LIMIT_EXCEEDED = 0;

    /** NS/NA: the target address and the first option. */
    public static final int ND_TARGET = 8;
    public static final int ND_OPTIONS = 24;
    public static final int ND_MIN_LENGTH = 24;
    public static final int OPTION_SOURCE_LINK_LAYER = 1;
    public static final int OPTION_TARGET_LINK_LAYER = 2;
    /** One link-layer address option for Ethernet: type, length 1 (8 bytes), MAC. */
    public static final int LINK_LAYER_OPTION_LENGTH = 8;

    public static final int NA_FLAG_ROUTER = 0x8000_0000;
    public static final int NA_FLAG_SOLICITED = 0x4000_0000;
    public static final int NA_FLAG_OVERRIDE = 0x2000_0000;

    /** Neighbour discovery packets must arrive with hop limit 255 (they were not forwarded). */
    public static final int ND_HOP_LIMIT = 255;

    private Icmp6() {
    }

    /** Types below 128 are errors; no error is ever sent about one (RFC 4443 2.4 e.1). */
    public static boolean isError(int type) {
        return type < 128;
    }
}
