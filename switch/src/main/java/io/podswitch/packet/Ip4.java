package io.podswitch.packet;

/**
 * IPv4 header (RFC 791), offsets from the start of the IP header. Addresses are {@code int}s in
 * network order (the first octet in the high byte).
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------+-------+---------------+-------------------------------+
 * |Version|  IHL  |      TOS      |         Total Length          |  0
 * +-------+-------+---------------+-----+-------------------------+
 * |        Identification         |Flags|     Fragment Offset     |  4
 * +---------------+---------------+-----+-------------------------+
 * |      TTL      |   Protocol    |        Header Checksum        |  8
 * +---------------+---------------+-------------------------------+
 * |                        Source Address                         | 12
 * +---------------------------------------------------------------+
 * |                     Destination Address                       | 16
 * +---------------------------------------------------------------+
 * |                 Options (IHL > 5) ...                         | 20
 * </pre>
 */
public final class Ip4 {
    public static final int VERSION_IHL = 0;
    public static final int TOS = 1;
    public static final int TOTAL_LENGTH = 2;
    public static final int IDENTIFICATION = 4;
    public static final int FLAGS_FRAGMENT = 6;
    public static final int TTL = 8;
    public static final int PROTOCOL = 9;
    public static final int CHECKSUM = 10;
    public static final int SOURCE = 12;
    public static final int DESTINATION = 16;
    public static final int MIN_HEADER_LENGTH = 20;

    /** Don't Fragment, in the 16-bit flags/fragment-offset word. */
    public static final int FLAG_DF = 0x4000;
    /** More Fragments. */
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    public static final int LIMITED_BROADCAST = 0xffff_ffff;
    public static final int DEFAULT_TTL = 64;

    private Ip4() {
    }

    /** 224.0.0.0/4. */
    public static boolean isMulticast(int address) {
        return (address >>> 28) == 0xe;
    }

    /** Addresses that are never a valid unicast source: 0/8, 127/8, multicast, 240/4 and broadcast. */
    public static boolean isMartianSource(int address) {
        int first = address >>> 24;
        return first == 0 || first == 127 || first >= 224;
    }

    public static int address(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    /** Parses dotted-quad text (control plane and tests only). */
    public static int parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int a = 0;
        for (String p : parts) {
            int v;
            try {
                v = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'", e);
            }
            if (v < 0 || v > 255 || p.length() > 3) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            a = (a << 8) | v;
        }
        return a;
    }

    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "."
                + (address & 0xff);
    }
}
