package io.podswitch.perf.fib;

import static io.podswitch.fib.Ip6Prefixes.maskHigh;
import static io.podswitch.fib.Ip6Prefixes.maskLow;

import java.util.SplittableRandom;

/**
 * An IPv6 table shaped like DPDK's {@code lpm6_perf_autotest} (app/test/test_lpm6_data.h): 1000
 * routes of random prefix bits with lengths spread evenly over 1..128, and 100,000 lookup addresses,
 * 100 per route in route order, each the route's prefix followed by random bits (so most lookups
 * walk as deep as the route, and a longer overlapping route may win).
 */
public final class Lpm6PerfTable {
    public static final int ROUTES = 1000;
    public static final int ADDRESSES_PER_ROUTE = 100;

    public final long[] routeHigh = new long[ROUTES];
    public final long[] routeLow = new long[ROUTES];
    public final int[] routeLength = new int[ROUTES];
    public final long[] addressHigh = new long[ROUTES * ADDRESSES_PER_ROUTE];
    public final long[] addressLow = new long[ROUTES * ADDRESSES_PER_ROUTE];

    public Lpm6PerfTable(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int r = 0; r < ROUTES; r++) {
            int length = 1 + random.nextInt(128);
            routeLength[r] = length;
            routeHigh[r] = random.nextLong() & maskHigh(length);
            routeLow[r] = random.nextLong() & maskLow(length);
            for (int a = 0; a < ADDRESSES_PER_ROUTE; a++) {
                int i = r * ADDRESSES_PER_ROUTE + a;
                addressHigh[i] = routeHigh[r] | (random.nextLong() & ~maskHigh(length));
                addressLow[i] = routeLow[r] | (random.nextLong() & ~maskLow(length));
            }
        }
    }
}
