package io.podswitch.graph;

import io.podswitch.fib.Ip4Lookup;

import java.util.Arrays;

/** Test-only IPv4 longest-prefix match by linear scan (the real FIB is another package's work). */
public final class NaiveLpm4 implements Ip4Lookup {
    private int[] prefix = new int[8];
    private int[] length = new int[8];
    private int[] adjacency = new int[8];
    private int size;

    public NaiveLpm4 add(String cidr, int adj) {
        String[] p = cidr.split("/");
        int len = Integer.parseInt(p[1]);
        int mask = len == 0 ? 0 : -1 << (32 - len);
        if (size == prefix.length) {
            prefix = Arrays.copyOf(prefix, size * 2);
            length = Arrays.copyOf(length, size * 2);
            adjacency = Arrays.copyOf(adjacency, size * 2);
        }
        prefix[size] = TestFrames.ip4(p[0]) & mask;
        length[size] = len;
        adjacency[size++] = adj;
        return this;
    }

    @Override
    public int lookup(int destination) {
        int best = MISS;
        int bestLength = -1;
        for (int i = 0; i < size; i++) {
            int len = length[i];
            int mask = len == 0 ? 0 : -1 << (32 - len);
            if ((destination & mask) == prefix[i] && len > bestLength) {
                best = adjacency[i];
                bestLength = len;
            }
        }
        return best;
    }
}
