package io.podswitch.packet;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IPv6 header (RFC 8200), offsets from the start of the IP header. An address is two {@code long}s,
 * high and low 64 bits, each in network order.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------+---------------+---------------------------------------+
 * |Version| Traffic Class |              Flow Label               |  0
 * +-------+---------------+-------+---------------+---------------+
 * |         Payload Length        |  Next Header  |   Hop Limit   |  4
 * +-------------------------------+---------------+---------------+
 * |                     Source Address (128 bits)                 |  8
 * +---------------------------------------------------------------+
 * |                  Destination Address (128 bits)               | 24
 * +---------------------------------------------------------------+
 *                                                                   40
 * </pre>
 */
public final class Ip6 {
    public static final int VERSION_CLASS_FLOW = 0;
    public static final int PAYLOAD_LENGTH = 4;
    public static final int NEXT_HEADER = 6;
    public static final int HOP_LIMIT = 7;
    public static final int SOURCE = 8;
    public static final int DESTINATION = 24;
    public static final int HEADER_LENGTH = 40;

    public static final int NEXT_HEADER_ICMP6 = 58;
    public static final int NEXT_HEADER_UDP = 17;
    public static final int DEFAULT_HOP_LIMIT = 64;
    /** The minimum link MTU; an ICMPv6 error never makes a packet longer than this (RFC 4443 2.4). */
    public static final int MIN_MTU = 1280;

    /** ff02::1, all nodes on the link. */
    public static final long ALL_NODES_HIGH = 0xff02_0000_0000_0000L;
    public static final long ALL_NODES_LOW = 1L;
    /** ff02::1:ff00:0/104, solicited-node multicast (RFC 4291 2.7.1); low 24 bits from the unicast address. */
    public static final long SOLICITED_NODE_HIGH = 0xff02_0000_0000_0000L;
    public static final long SOLICITED_NODE_LOW_PREFIX = 0x0000_0001_ff00_0000L;

    private Ip6() {
    }

    public static boolean isMulticast(long high) {
        return (high >>> 56) == 0xff;
    }

    /** fe80::/10. */
    public static boolean isLinkLocal(long high) {
        return (high >>> 54) == (0xfe80L >>> 6);
    }

    public static boolean isUnspecified(long high, long low) {
        return high == 0 && low == 0;
    }

    public static boolean isLoopback(long high, long low) {
        return high == 0 && low == 1;
    }

    public static long solicitedNodeLow(long unicastLow) {
        return SOLICITED_NODE_LOW_PREFIX | (unicastLow & 0xff_ffffL);
    }

    /** Is (high, low) a solicited-node multicast address (of any unicast address)? */
    public static boolean isSolicitedNode(long high, long low) {
        return high == SOLICITED_NODE_HIGH && (low & 0xffff_ffff_ff00_0000L) == SOLICITED_NODE_LOW_PREFIX;
    }

    /** Parses an IPv6 literal into {high, low} (control plane and tests only). */
    public static long[] parse(String text) {
        if (text.indexOf(':') < 0) {
            throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
        }
        try {
            InetAddress a = InetAddress.getByName(text);
            if (!(a instanceof Inet6Address)) {
                throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
            }
            byte[] b = a.getAddress();
            return new long[] {toLong(b, 0), toLong(b, 8)};
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: '" + text + "'", e);
        }
    }

    private static long toLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    public static String format(long high, long low) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
