package io.podswitch.fib;

/** IPv4 prefix arithmetic and formatting for the FIB's control side and its error messages. */
public final class Ip4Prefixes {
    private Ip4Prefixes() {
    }

    /** Network mask of a prefix length 0..32 (0 for /0, all ones for /32). */
    public static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    public static String format(int prefix, int length) {
        return format(prefix) + "/" + length;
    }
}
