package io.podswitch.config.cidr;

import java.math.BigInteger;
import java.net.InetAddress;

/**
 * An independent model of addresses and prefixes as plain BigInteger numbers, used to check the
 * long-based arithmetic of {@link Cidr} and the text handling of the address types.
 */
final class BigIntegerReference {

    private BigIntegerReference() {
    }

    static BigInteger value(IpAddress address) {
        return switch (address) {
            case Ip4Address v4 -> BigInteger.valueOf(v4.value() & 0xffff_ffffL);
            case Ip6Address v6 -> new BigInteger(1, bytes(v6.high(), v6.low()));
        };
    }

    static IpAddress address(IpFamily family, BigInteger value) {
        return family == IpFamily.IPV4
                ? new Ip4Address(value.intValue())
                : new Ip6Address(value.shiftRight(64).longValue(), value.longValue());
    }

    /** The number the JDK's literal parser (no DNS) finds in {@code text}, in {@code family}'s width. */
    static BigInteger jdkParse(String text, IpFamily family) {
        byte[] raw = InetAddress.ofLiteral(text).getAddress();
        BigInteger value = new BigInteger(1, raw);
        if (family == IpFamily.IPV6 && raw.length == 4) {
            // The JDK turns ::ffff:a.b.c.d into an Inet4Address; put the mapped prefix back.
            value = value.or(BigInteger.valueOf(0xffffL).shiftLeft(32));
        }
        return value;
    }

    static BigInteger network(BigInteger value, int prefixLength, int bits) {
        return value.shiftRight(bits - prefixLength).shiftLeft(bits - prefixLength);
    }

    static boolean contains(BigInteger network, int prefixLength, BigInteger value, int bits) {
        return network(value, prefixLength, bits).equals(network);
    }

    static BigInteger last(BigInteger network, int prefixLength, int bits) {
        return network.add(BigInteger.ONE.shiftLeft(bits - prefixLength)).subtract(BigInteger.ONE);
    }

    /** Two closed intervals [network, last] intersect. */
    static boolean overlaps(BigInteger n1, int p1, BigInteger n2, int p2, int bits) {
        return n1.compareTo(last(n2, p2, bits)) <= 0 && n2.compareTo(last(n1, p1, bits)) <= 0;
    }

    static BigInteger subnet(BigInteger network, int subnetLength, long index, int bits) {
        return network.add(BigInteger.valueOf(index).shiftLeft(bits - subnetLength));
    }

    /** RFC 5952 text built group by group from the number, the slow obvious way. */
    static String rfc5952(BigInteger value) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = value.shiftRight(16 * (7 - i)).intValue() & 0xffff;
        }
        if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0 && groups[5] == 0xffff) {
            return "::ffff:" + (groups[6] >> 8) + "." + (groups[6] & 0xff) + "." + (groups[7] >> 8) + "." + (groups[7] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 0;
        for (int start = 0; start < 8; start++) {
            int length = 0;
            while (start + length < 8 && groups[start + length] == 0) {
                length++;
            }
            if (length >= 2 && length > bestLength) {
                bestStart = start;
                bestLength = length;
            }
        }
        StringBuilder left = new StringBuilder();
        StringBuilder right = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLength) {
                continue;
            }
            StringBuilder side = bestStart >= 0 && i >= bestStart + bestLength ? right : left;
            if (!side.isEmpty()) {
                side.append(':');
            }
            side.append(Integer.toHexString(groups[i]));
        }
        return bestStart < 0 ? left.toString() : left + "::" + right;
    }

    private static byte[] bytes(long high, long low) {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (high >>> (56 - 8 * i));
            out[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return out;
    }
}
