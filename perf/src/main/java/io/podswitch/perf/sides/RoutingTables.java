package io.podswitch.perf.sides;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.fib.Ip4Lookup;
import io.podswitch.fib.Ip6Lookup;

import java.util.Arrays;

/**
 * The tables every worker's graph reads: IPv4 and IPv6 FIBs and the adjacency table, filled on
 * the control thread before the workers start.
 *
 * <p>Interim: until the DIR-24-8 FIB ({@code Ip4Fib}/{@code Ip6Fib}) is on main, the lookups are a
 * longest-prefix scan over the few routes a bench path needs, and background routes are not loaded.
 */
final class RoutingTables {

    private final AdjacencyTable adjacencies;
    private final ScanLpm4 fib4 = new ScanLpm4();
    private final ScanLpm6 fib6 = new ScanLpm6();

    RoutingTables(int adjacencyCapacity) {
        this.adjacencies = new AdjacencyTable(adjacencyCapacity);
    }

    AdjacencyTable adjacencies() {
        return adjacencies;
    }

    Ip4Lookup fib4() {
        return fib4;
    }

    Ip6Lookup fib6() {
        return fib6;
    }

    void route4(int prefix, int length, int adjacency) {
        fib4.add(prefix, length, adjacency);
    }

    void route6(long high, long low, int length, int adjacency) {
        fib6.add(high, low, length, adjacency);
    }

    /** Background routes the workload's destinations never hit; @return how many were loaded. */
    int loadBackground4(int count, long seed, int adjacency) {
        return 0;
    }

    /** @return how many were loaded */
    int loadBackground6(int count, long seed, int adjacency) {
        return 0;
    }

    /** Longest-prefix match by scanning every route: fine for the handful of routes of a bench path. */
    private static final class ScanLpm4 implements Ip4Lookup {
        private int[] prefix = new int[8];
        private int[] length = new int[8];
        private int[] adjacency = new int[8];
        private int count;

        void add(int p, int len, int adj) {
            if (count == prefix.length) {
                prefix = Arrays.copyOf(prefix, count * 2);
                length = Arrays.copyOf(length, count * 2);
                adjacency = Arrays.copyOf(adjacency, count * 2);
            }
            prefix[count] = p;
            length[count] = len;
            adjacency[count++] = adj;
        }

        @Override
        public int lookup(int destination) {
            int best = MISS;
            int bestLength = -1;
            for (int i = 0; i < count; i++) {
                int len = length[i];
                int mask = len == 0 ? 0 : -1 << (32 - len);
                if (len > bestLength && (destination & mask) == prefix[i]) {
                    best = adjacency[i];
                    bestLength = len;
                }
            }
            return best;
        }
    }

    private static final class ScanLpm6 implements Ip6Lookup {
        private long[] high = new long[8];
        private long[] low = new long[8];
        private int[] length = new int[8];
        private int[] adjacency = new int[8];
        private int count;

        void add(long h, long l, int len, int adj) {
            if (count == high.length) {
                high = Arrays.copyOf(high, count * 2);
                low = Arrays.copyOf(low, count * 2);
                length = Arrays.copyOf(length, count * 2);
                adjacency = Arrays.copyOf(adjacency, count * 2);
            }
            high[count] = h;
            low[count] = l;
            length[count] = len;
            adjacency[count++] = adj;
        }

        @Override
        public int lookup(long h, long l) {
            int best = MISS;
            int bestLength = -1;
            for (int i = 0; i < count; i++) {
                int len = length[i];
                long maskHigh = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
                long maskLow = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
                if (len > bestLength && (h & maskHigh) == high[i] && (l & maskLow) == low[i]) {
                    best = adjacency[i];
                    bestLength = len;
                }
            }
            return best;
        }
    }
}
