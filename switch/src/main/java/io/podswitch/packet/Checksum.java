package io.podswitch.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
 * words. Sums are accumulated in a {@code long} without folding and folded once at the end.
 */
public final class Checksum {
    private static final boolean NATIVE_IS_NETWORK = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN;

    private Checksum() {
    }

    /** Bytes per iteration of the wide loop: four 8-byte loads into two independent accumulators. */
    private static final int WIDE = 32;
    private static final long LOW32 = 0xffff_ffffL;

    /**
     * Adds {@code length} bytes at {@code offset} to {@code sum} (odd tail padded with zero).
     *
     * <p>The bulk is summed in the machine's byte order (x86: little endian, no byte swap per load)
     * as 32-bit halves of 8-byte loads in two accumulators, then folded to 16 bits and byte-swapped
     * into network order: the ones' complement sum is byte-order independent up to that final swap
     * (RFC 1071, 2(B)). The rest (under 32 bytes) takes the plain network-order path. Measured: about
     * 3× the network-order loop on a 1,448-byte segment (docs/benchmarks-overlay.md).
     */
    public static long add(MemorySegment m, long offset, int length, long sum) {
        int wide = length & -WIDE;
        long s = wide > 0 ? sum + wideSum(m, offset, wide) : sum;
        return addNarrow(m, offset + wide, length - wide, s);
    }

    /**
     * The folded, network-order sum of {@code length} (a multiple of {@value #WIDE}) bytes. A method of
     * its own so that {@link #add}, inlined everywhere, stays small (callers' inlining budgets matter
     * on the data path: see docs/nativeio.md on the downcall wrappers).
     */
    private static int wideSum(MemorySegment m, long offset, int length) {
        long a = 0;
        long b = 0;
        for (int i = 0; i < length; i += WIDE) {
            long v0 = m.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i);
            long v1 = m.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i + 8);
            long v2 = m.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i + 16);
            long v3 = m.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i + 24);
            a += (v0 >>> 32) + (v0 & LOW32) + (v1 >>> 32) + (v1 & LOW32);
            b += (v2 >>> 32) + (v2 & LOW32) + (v3 >>> 32) + (v3 & LOW32);
        }
        int folded = fold(a + b);
        return NATIVE_IS_NETWORK ? folded : ((folded & 0xff) << 8) | (folded >>> 8);
    }

    /** Network-order 8-byte, 2-byte and odd-byte steps for what the wide loop left (under 32 bytes). */
    private static long addNarrow(MemorySegment m, long offset, int length, long sum) {
        long s = sum;
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            long v = Bytes.i64(m, offset + i);
            s += (v >>> 32) + (v & LOW32);
        }
        for (; i + 2 <= length; i += 2) {
            s += Bytes.u16(m, offset + i);
        }
        if (i < length) {
            s += Bytes.u8(m, offset + i) << 8;
        }
        return s;
    }

    /**
     * Folds a running sum (any unsigned 64-bit value) to 16 bits with end-around carries (not
     * complemented). Four fixed steps, no loop: a loop's trip count depends on the packet's bytes,
     * and its exit branch mispredicts per packet on the data path (ip4-input, ip4-rewrite). Each
     * step keeps the value modulo 0xffff (2^16 and 2^32 are 1 modulo 0xffff) and keeps it non-zero
     * when it was, so the result is the loop's: 2^33-2, then below 2^32, then 0x1fffe, then 0xffff
     * at most.
     */
    public static int fold(long sum) {
        long s = (sum >>> 32) + (sum & LOW32);
        s = (s >>> 32) + (s & LOW32);
        s = (s >>> 16) + (s & 0xffff);
        s = (s >>> 16) + (s & 0xffff);
        return (int) s;
    }

    /**
     * The folded sum (not complemented) of a 20-byte IPv4 header given as its words in network
     * order, bytes 0-7, 8-15 and 16-19 (as {@link Bytes#i64}/{@link Bytes#i32} read them): 0xffff when
     * its checksum is right. No loop and no further loads: ip4-input reads the header's fields out of
     * the same three words (the general {@link #add} walks 8-, 2- and 1-byte steps).
     */
    public static int ip4Header(long bytes0to7, long bytes8to15, int bytes16to19) {
        return fold((bytes0to7 >>> 32) + (bytes0to7 & LOW32) + (bytes8to15 >>> 32) + (bytes8to15 & LOW32)
                + (bytes16to19 & LOW32));
    }

    /** The checksum field value for the given running sum. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** The checksum of a byte range (the checksum field inside it must be zero, or the result 0 = valid). */
    public static int compute(MemorySegment m, long offset, int length) {
        return finish(add(m, offset, length, 0));
    }

    /** The IPv6 pseudo-header sum (RFC 8200 8.1) for an upper-layer packet of the given length. */
    public static long pseudoHeader6(MemorySegment m, long ip6, int upperLength, int nextHeader) {
        long s = add(m, ip6 + Ip6.SOURCE, 32, 0);
        return s + (upperLength >>> 16) + (upperLength & 0xffff) + nextHeader;
    }

    /**
     * Incremental update for one changed 16-bit word, RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').
     * Unlike eqn. 2 of RFC 1141 this never produces 0xffff... wrongly for a zero sum.
     */
    public static int update(int checksum, int oldWord, int newWord) {
        long s = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return ~fold(s) & 0xffff;
    }

    /** Incremental update for a changed 32-bit value (two words). */
    public static int update32(int checksum, int oldValue, int newValue) {
        long s = (~checksum & 0xffff)
                + (~(oldValue >>> 16) & 0xffff) + (~oldValue & 0xffff)
                + ((newValue >>> 16) & 0xffff) + (newValue & 0xffff);
        return ~fold(s) & 0xffff;
    }
}
