package io.podswitch.config.cidr;

/**
 * 128-bit arithmetic shared by both families. An address is "left-aligned" into two longs: IPv6 as is,
 * IPv4 in the top 32 bits of {@code high} with everything else zero. A prefix of length p then covers the
 * top p bits in either family, so one set of mask and shift helpers serves both.
 */
final class AlignedBits {

    private AlignedBits() {
    }

    static long high(IpAddress address) {
        return switch (address) {
            case Ip4Address v4 -> (long) v4.value() << 32;
            case Ip6Address v6 -> v6.high();
        };
    }

    static long low(IpAddress address) {
        return switch (address) {
            case Ip4Address v4 -> 0L;
            case Ip6Address v6 -> v6.low();
        };
    }

    static IpAddress address(IpFamily family, long high, long low) {
        return switch (family) {
            case IPV4 -> new Ip4Address((int) (high >>> 32));
            case IPV6 -> new Ip6Address(high, low);
        };
    }

    /** Network mask of the top {@code prefixLength} bits, high word. */
    static long maskHigh(int prefixLength) {
        if (prefixLength <= 0) {
            return 0L;
        }
        return prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
    }

    /** Network mask of the top {@code prefixLength} bits, low word. */
    static long maskLow(int prefixLength) {
        return prefixLength <= 64 ? 0L : -1L << (128 - prefixLength);
    }
}
