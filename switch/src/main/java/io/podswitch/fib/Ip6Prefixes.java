package io.podswitch.fib;

/** IPv6 prefix arithmetic (address as two big-endian longs) and formatting for messages. */
public final class Ip6Prefixes {
    private Ip6Prefixes() {
    }

    /** High 64 bits of the network mask of a prefix length 0..128. */
    public static long maskHigh(int length) {
        return length == 0 ? 0L : length >= 64 ? -1L : -1L << (64 - length);
    }

    /** Low 64 bits of the network mask of a prefix length 0..128. */
    public static long maskLow(int length) {
        return length <= 64 ? 0L : -1L << (128 - length);
    }

    /** Byte {@code index} (0 = most significant) of the address. */
    static int byteAt(long high, long low, int index) {
        return index < 8 ? (int) (high >>> (56 - 8 * index)) & 0xFF : (int) (low >>> (56 - 8 * (index - 8))) & 0xFF;
    }

    /** Full, uncompressed form (eight hex groups), unambiguous in error messages. */
    public static String format(long high, long low) {
        StringBuilder text = new StringBuilder(39);
        for (int group = 0; group < 8; group++) {
            long word = group < 4 ? high : low;
            int shift = 48 - 16 * (group & 3);
            if (group > 0) {
                text.append(':');
            }
            text.append(Integer.toHexString((int) (word >>> shift) & 0xFFFF));
        }
        return text.toString();
    }

    public static String format(long high, long low, int length) {
        return format(high, low) + "/" + length;
    }
}
