package io.podswitch.daemon.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Conversions between the control plane's {@link InetAddress}es and MAC strings and the data path's
 * primitive forms (IPv4 as an int, IPv6 as two big-endian longs, a MAC in the low 48 bits of a long).
 */
public final class AddressBits {
    private AddressBits() {
    }

    public static boolean isIp4(InetAddress address) {
        return address instanceof Inet4Address;
    }

    public static int ip4(InetAddress address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    public static long ip6High(InetAddress address) {
        return longAt(address.getAddress(), 0);
    }

    public static long ip6Low(InetAddress address) {
        return longAt(address.getAddress(), 8);
    }

    private static long longAt(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }

    /** A configuration address as a {@link InetAddress} (for netlink, sockets and IPAM). */
    public static InetAddress inet(io.podswitch.config.cidr.IpAddress address) {
        return switch (address) {
            case io.podswitch.config.cidr.Ip4Address a -> fromIp4(a.value());
            case io.podswitch.config.cidr.Ip6Address a -> fromIp6(a.high(), a.low());
        };
    }

    public static InetAddress fromIp4(int value) {
        return of(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    public static InetAddress fromIp6(long high, long low) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return of(b);
    }

    private static InetAddress of(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} (case-insensitive).
     * @throws IllegalArgumentException naming the text when it is not six hex pairs
     */
    public static long parseMac(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("MAC '" + text + "' is not of the form aa:bb:cc:dd:ee:ff");
        }
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(text.charAt(3 * i), 16);
            int lo = Character.digit(text.charAt(3 * i + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && text.charAt(3 * i + 2) != ':')) {
                throw new IllegalArgumentException("MAC '" + text + "' is not of the form aa:bb:cc:dd:ee:ff");
            }
            mac = mac << 8 | hi << 4 | lo;
        }
        return mac;
    }

    public static String formatMac(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int b = (int) (mac >>> (8 * i)) & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /** Is the MAC a group (multicast/broadcast) address? Such a MAC cannot be an interface's own. */
    public static boolean isMulticastMac(long mac) {
        return ((mac >>> 40) & 1) != 0;
    }
}
