package io.podswitch.daemon.ipam;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parses and prints literal IP addresses only (never a DNS lookup), canonical for IPv6. */
public final class IpAddresses {
    private IpAddresses() {
    }

    public static InetAddress parse(String text) {
        String s = text.trim();
        if (s.isEmpty() || s.indexOf('%') >= 0 || !s.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        if (s.indexOf(':') < 0 && !s.matches("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})")) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        try {
            // Literal only: the checks above guarantee no host-name lookup happens.
            InetAddress address = InetAddress.getByName(s);
            if (s.indexOf(':') >= 0 && address instanceof Inet4Address) {
                throw new IllegalArgumentException("IPv4-mapped IPv6 address not allowed: '" + text + "'");
            }
            return address;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
    }

    public static String format(InetAddress address) {
        if (address instanceof Inet6Address) {
            return canonical6(address.getAddress());
        }
        return address.getHostAddress();
    }

    /** RFC 5952: lower case, leading zeros dropped, the longest run (first if tied, length ≥ 2) as "::". */
    private static String canonical6(byte[] b) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLength && j - i >= 2) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(words[i]));
        }
        return sb.toString();
    }
}
