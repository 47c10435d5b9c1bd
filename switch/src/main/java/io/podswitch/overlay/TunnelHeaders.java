package io.podswitch.overlay;

/**
 * Layouts of the UDP, VXLAN and Geneve headers, offsets from the start of each header.
 *
 * <pre>
 *  UDP (RFC 768)
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |          Source Port          |       Destination Port        |  0
 * +-------------------------------+-------------------------------+
 * |            Length             |           Checksum            |  4
 * +-------------------------------+-------------------------------+
 *
 *  VXLAN (RFC 7348 section 5)
 * +-+-+-+-+-+-+-+-+-----------------------------------------------+
 * |R|R|R|R|I|R|R|R|               Reserved                        |  0
 * +-+-+-+-+-+-+-+-+-------------------------------+---------------+
 * |          VXLAN Network Identifier (VNI)       |   Reserved    |  4
 * +-----------------------------------------------+---------------+
 *
 *  Geneve (RFC 8926 section 3.4)
 * +---+-----------+-+-+-----------+-------------------------------+
 * |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |  0
 * +---+-----------+-+-+-----------+-------------------------------+
 * |        Virtual Network Identifier (VNI)       |    Reserved   |  4
 * +-----------------------------------------------+---------------+
 * |                 Variable-Length Options (Opt Len x 4 bytes)   |  8
 * +---------------------------------------------------------------+
 * </pre>
 *
 * Both base headers are 8 bytes, so an outer IPv4 stack is 14 + 20 + 8 + 8 = 50 bytes and an outer
 * IPv6 stack 14 + 40 + 8 + 8 = 70 bytes for either mode (Geneve sent without options).
 */
public final class TunnelHeaders {
    public static final int UDP_SOURCE_PORT = 0;
    public static final int UDP_DESTINATION_PORT = 2;
    public static final int UDP_LENGTH = 4;
    public static final int UDP_CHECKSUM = 6;
    public static final int UDP_HEADER_LENGTH = 8;

    /** Length of the VXLAN header and of the Geneve base header. */
    public static final int TUNNEL_HEADER_LENGTH = 8;
    public static final int FLAGS = 0;
    /** Geneve protocol type (16 bits). */
    public static final int PROTOCOL_TYPE = 2;
    /** The 24-bit VNI occupies the high three bytes of the 32-bit word at this offset. */
    public static final int VNI_WORD = 4;

    /** VXLAN: the I flag, "VNI is valid", must be 1. */
    public static final int VXLAN_FLAG_I = 0x08;
    /** Geneve first byte: version in the top two bits, options length (4-byte words) in the low six. */
    public static final int GENEVE_VERSION_SHIFT = 6;
    public static final int GENEVE_OPT_LEN_MASK = 0x3f;
    /** Geneve second byte: O (control packet) and C (critical options present). */
    public static final int GENEVE_FLAG_O = 0x80;
    public static final int GENEVE_FLAG_C = 0x40;
    /** Transparent Ethernet Bridging: the payload is an Ethernet frame. */
    public static final int PROTOCOL_TEB = 0x6558;

    public static final int MAX_VNI = 0xff_ffff;
    /** RFC 7348 section 5: source ports from the dynamic/private range 49152-65535. */
    public static final int SOURCE_PORT_BASE = 49152;
    public static final int SOURCE_PORT_MASK = 0x3fff;

    private TunnelHeaders() {
    }
}
