package io.podswitch.perf.fib;

import java.util.SplittableRandom;

/**
 * A synthetic IPv4 table of 1,076,806 routes with the prefix-length distribution of a real BGP dump,
 * generated the way DPDK's {@code lpm_perf_autotest} does (app/test/test_lpm_routes.c), so that our
 * numbers and {@code dpdk-test}'s are taken on the same kind of table.
 *
 * <p>The counts per length are DPDK's, split into three address blocks (first bits 0, 10 and 110);
 * within a block and length, prefixes are spread evenly from a random start (step = block size /
 * count, wrapping), so short lengths with more routes than prefixes repeat some. DPDK's five extra
 * routes (0.0.0.0/8, 10.2.23.147/32, 192.168.100.0/24, 192.168.25.0/24, 192.168.129.124/32) go to
 * random positions. Insertion order is the array order: block by block, shortest length first.
 */
public final class BgpLikeIp4Routes {
    /** Routes per length 1..32 whose first bit is 0. */
    private static final int[] BLOCK_0 = {
        0, 0, 1, 0, 2, 1, 3, 185, 26, 16, 39, 144, 233, 528, 866, 3856,
        3268, 5662, 17301, 22226, 11147, 16746, 17120, 77578, 401, 656, 1107, 1121, 2316, 717, 10, 66,
    };
    /** Routes per length 1..32 whose first bits are 10. */
    private static final int[] BLOCK_10 = {
        0, 0, 0, 0, 1, 1, 1, 3, 3, 30, 25, 168, 305, 569, 1129, 50800,
        1645, 1820, 3506, 3258, 3424, 4971, 6885, 39771, 424, 170, 433, 92, 366, 377, 2, 200,
    };
    /** Routes per length 1..32 whose first bits are 110. */
    private static final int[] BLOCK_110 = {
        0, 0, 0, 0, 0, 0, 0, 12, 8, 9, 33, 69, 237, 1007, 1717, 14663,
        8070, 16185, 48261, 36870, 33960, 50638, 61422, 466549, 1829, 4824, 4927, 5914, 10254, 4905, 1, 716,
    };
    private static final int[][] EXTRA = {
        {0x00000000, 8}, {0x0A021793, 32}, {0xC0A8640A & 0xFFFFFF00, 24}, {0xC0A81964 & 0xFFFFFF00, 24}, {0xC0A8817C, 32},
    };

    private final int[] prefixes;
    private final byte[] lengths;

    private BgpLikeIp4Routes(int[] prefixes, byte[] lengths) {
        this.prefixes = prefixes;
        this.lengths = lengths;
    }

    public static BgpLikeIp4Routes generate(long seed) {
        int total = EXTRA.length;
        for (int i = 0; i < 32; i++) {
            total += BLOCK_0[i] + BLOCK_10[i] + BLOCK_110[i];
        }
        int[] prefixes = new int[total];
        byte[] lengths = new byte[total];
        SplittableRandom random = new SplittableRandom(seed);
        int n = 0;
        n = fillBlock(BLOCK_0, 1, 0x00000000, prefixes, lengths, n, random);
        n = fillBlock(BLOCK_10, 2, 0x80000000, prefixes, lengths, n, random);
        n = fillBlock(BLOCK_110, 3, 0xC0000000, prefixes, lengths, n, random);
        for (int[] extra : EXTRA) {
            // Insert at a random position, moving the route that was there to the end.
            int position = random.nextInt(n + 1);
            prefixes[n] = prefixes[position];
            lengths[n] = lengths[position];
            prefixes[position] = extra[0];
            lengths[position] = (byte) extra[1];
            n++;
        }
        return new BgpLikeIp4Routes(prefixes, lengths);
    }

    private static int fillBlock(int[] counts, int fixedBits, int head, int[] prefixes, byte[] lengths, int n,
                                 SplittableRandom random) {
        for (int length = 1; length <= 32; length++) {
            int count = counts[length - 1];
            if (count == 0) {
                continue;
            }
            int freeBits = length - fixedBits;
            long range = 1L << freeBits;
            long mask = range - 1;
            long step = range <= count ? 1 : Math.round((double) range / count);
            long next = random.nextLong() & mask;
            for (int k = 0; k < count; k++) {
                prefixes[n] = (int) (next << (32 - length)) | head;
                lengths[n] = (byte) length;
                n++;
                next = (next + step) & mask;
            }
        }
        return n;
    }

    public int size() {
        return prefixes.length;
    }

    public int prefix(int i) {
        return prefixes[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    /** Routes per prefix length 0..32, to print next to DPDK's "Route distribution per prefix width". */
    public int[] lengthHistogram() {
        int[] histogram = new int[33];
        for (byte length : lengths) {
            histogram[length]++;
        }
        return histogram;
    }
}
