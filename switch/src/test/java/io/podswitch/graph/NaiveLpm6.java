package io.podswitch.graph;

import io.podswitch.fib.Ip6Lookup;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Test-only IPv6 longest-prefix match by linear scan. */
public final class NaiveLpm6 implements Ip6Lookup {
    private long[] high = new long[8];
    private long[] low = new long[8];
    private int[] length = new int[8];
    private int[] adjacency = new int[8];
    private int size;

    public NaiveLpm6 add(String cidr, int adj) {
        String[] p = cidr.split("/");
        ByteBuffer a = ByteBuffer.wrap(TestFrames.ip6(p[0]));
        int len = Integer.parseInt(p[1]);
        if (size == high.length) {
            high = Arrays.copyOf(high, size * 2);
            low = Arrays.copyOf(low, size * 2);
            length = Arrays.copyOf(length, size * 2);
            adjacency = Arrays.copyOf(adjacency, size * 2);
        }
        high[size] = a.getLong(0) & maskHigh(len);
        low[size] = a.getLong(8) & maskLow(len);
        length[size] = len;
        adjacency[size++] = adj;
        return this;
    }

    private static long maskHigh(int len) {
        return len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
    }

    private static long maskLow(int len) {
        return len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
    }

    @Override
    public int lookup(long h, long l) {
        int best = MISS;
        int bestLength = -1;
        for (int i = 0; i < size; i++) {
            int len = length[i];
            if ((h & maskHigh(len)) == high[i] && (l & maskLow(len)) == low[i] && len > bestLength) {
                best = adjacency[i];
                bestLength = len;
            }
        }
        return best;
    }
}
