package io.podswitch.packet;

/**
 * Ethernet II header layout and constants. MAC addresses are handled as the low 48 bits of a
 * {@code long} (see {@link Bytes#mac}).
 *
 * <pre>
 *  0                   6                   12      14
 *  +-------------------+-------------------+-------+----------------
 *  | destination MAC   | source MAC        | type  | payload ...
 *  +-------------------+-------------------+-------+----------------
 *
 *  802.1Q tagged: type 0x8100, then TCI (PCP:3 DEI:1 VID:12), then the inner type
 *  +-------------------+-------------------+-------+-------+-------+------
 *  | destination MAC   | source MAC        |0x8100 |  TCI  | type  | payload
 *  +-------------------+-------------------+-------+-------+-------+------
 *  0                   6                   12      14      16      18
 * </pre>
 */
public final class Ethernet {
    public static final int DESTINATION = 0;
    public static final int SOURCE = 6;
    public static final int TYPE = 12;
    public static final int HEADER_LENGTH = 14;
    /** Bytes an 802.1Q tag adds (TPID + TCI). */
    public static final int VLAN_TAG_LENGTH = 4;

    public static final int TYPE_IP4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IP6 = 0x86dd;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_QINQ = 0x88a8;
    /** Type fields below this value are 802.3 lengths, not EtherTypes. */
    public static final int TYPE_MIN = 0x0600;

    public static final long BROADCAST = 0xffff_ffff_ffffL;
    /** IPv6 multicast MACs are 33:33 followed by the low 32 bits of the group address (RFC 2464). */
    public static final long IP6_MULTICAST_PREFIX = 0x3333_0000_0000L;

    private Ethernet() {
    }

    /** The group bit (I/G) of the first octet: set for multicast and broadcast. */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    /** The MAC an IPv6 multicast group maps to (RFC 2464 section 7). */
    public static long ip6MulticastMac(long groupLow) {
        return IP6_MULTICAST_PREFIX | (groupLow & 0xffff_ffffL);
    }

    /** Formats a MAC as {@code aa:bb:cc:dd:ee:ff} (control plane and tests only). */
    public static String format(long mac) {
        StringBuilder b = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (shift != 40) {
                b.append(':');
            }
            int octet = (int) (mac >>> shift) & 0xff;
            b.append(Character.forDigit(octet >> 4, 16)).append(Character.forDigit(octet & 0xf, 16));
        }
        return b.toString();
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff}; throws IllegalArgumentException naming the bad input. */
    public static long parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address (need 6 octets): '" + text + "'");
        }
        long mac = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2) {
                throw new IllegalArgumentException("not a MAC address (bad octet '" + p + "'): '" + text + "'");
            }
            int v;
            try {
                v = Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address (bad octet '" + p + "'): '" + text + "'", e);
            }
            mac = (mac << 8) | v;
        }
        return mac;
    }
}
