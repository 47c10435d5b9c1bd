package io.podswitch.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Random IPv6 route sets, adds, replaces and deletes, checked lookup by lookup against {@link NaiveLpm6}. */
class Ip6FibPropertiesTest {
    record Route(long high, long low, int length, int adjacency) {
    }

    private static final long[][] ANCHORS = {
        {0x20010db800000000L, 0L}, {0xfd00000000000000L, 0x0000000000000001L}, {0L, 0L},
        {0xffffffffffffffffL, 0xffffffffffff0000L}, {0x20010db800010002L, 0x0003000400050000L},
    };

    @Provide
    Arbitrary<Route> route() {
        Arbitrary<Integer> anchor = Arbitraries.integers().between(0, ANCHORS.length - 1);
        Arbitrary<Long> noiseHigh = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, 0xFFFFFF), Arbitraries.longs());
        Arbitrary<Long> noiseLow = Arbitraries.oneOf(Arbitraries.longs().between(0, 0xFFF), Arbitraries.longs());
        Arbitrary<Integer> length = Arbitraries.oneOf(Arbitraries.integers().between(0, 128),
            Arbitraries.integers().between(20, 40), Arbitraries.integers().between(100, 128));
        Arbitrary<Integer> adjacency = Arbitraries.integers().between(0, 1000);
        return Combinators.combine(anchor, noiseHigh, noiseLow, length, adjacency).as((a, nh, nl, l, adj) -> {
            long high = (ANCHORS[a][0] ^ nh) & Ip6Prefixes.maskHigh(l);
            long low = (ANCHORS[a][1] ^ nl) & Ip6Prefixes.maskLow(l);
            return new Route(high, low, l, adj);
        });
    }

    @Provide
    Arbitrary<List<Route>> routes() {
        return route().list().ofMinSize(1).ofMaxSize(120);
    }

    @Property(tries = 20)
    void lookupsMatchTheNaiveReferenceThroughAddsReplacesAndDeletes(
        @ForAll("routes") List<Route> routes, @ForAll long seed, @ForAll @IntRange(min = 0, max = 100) int deletePercent) {
        Random random = new Random(seed);
        Ip6Fib fib = new Ip6Fib(2000);
        NaiveLpm6 reference = new NaiveLpm6();
        for (Route r : routes) {
            fib.add(r.high(), r.low(), r.length(), r.adjacency());
            reference.add(r.high(), r.low(), r.length(), r.adjacency());
        }
        checkAll(fib, reference, routes, random);

        for (Route r : routes) {
            if (random.nextInt(100) < deletePercent) {
                assertEquals(reference.delete(r.high(), r.low(), r.length()), fib.delete(r.high(), r.low(), r.length()));
            }
        }
        checkAll(fib, reference, routes, random);

        for (Route r : routes) {
            if (random.nextBoolean()) {
                int adjacency = random.nextInt(1000);
                fib.add(r.high(), r.low(), r.length(), adjacency);
                reference.add(r.high(), r.low(), r.length(), adjacency);
            }
        }
        checkAll(fib, reference, routes, random);

        for (NaiveLpm6.Prefix p : new ArrayList<>(reference.routes.keySet())) {
            fib.delete(p.high(), p.low(), p.length());
            reference.delete(p.high(), p.low(), p.length());
        }
        checkAll(fib, reference, routes, random);
        assertEquals(0, fib.tbl8GroupsInUse(), "groups left after deleting every route");
        fib.reclaim(fib.epoch());
        assertEquals(2000, fib.tbl8GroupsAvailable());
    }

    private static void checkAll(Ip6Fib fib, NaiveLpm6 reference, List<Route> routes, Random random) {
        assertEquals(reference.routes.size(), fib.routeCount(), "route count");
        Map<NaiveLpm6.Prefix, Integer> listed = new HashMap<>();
        fib.forEachRoute((high, low, length, adjacency) -> listed.put(new NaiveLpm6.Prefix(high, low, length), adjacency));
        assertEquals(reference.routes, listed, "listed routes");
        for (Route r : routes) {
            long hostHigh = ~Ip6Prefixes.maskHigh(r.length());
            long hostLow = ~Ip6Prefixes.maskLow(r.length());
            check(fib, reference, r.high(), r.low());
            check(fib, reference, r.high() | hostHigh, r.low() | hostLow);
            for (int i = 0; i < 3; i++) {
                check(fib, reference, r.high() | (random.nextLong() & hostHigh), r.low() | (random.nextLong() & hostLow));
            }
            // The address just below the prefix (128-bit decrement).
            long low = r.low() - 1;
            long high = r.low() == 0 ? r.high() - 1 : r.high();
            check(fib, reference, high, low);
            Integer expected = reference.routes.get(new NaiveLpm6.Prefix(r.high(), r.low(), r.length()));
            assertEquals(expected == null ? Ip6Lookup.MISS : expected, fib.adjacency(r.high(), r.low(), r.length()));
        }
        long[] highs = new long[64];
        long[] lows = new long[64];
        int[] bulk = new int[64];
        for (int i = 0; i < 64; i++) {
            Route r = routes.get(random.nextInt(routes.size()));
            highs[i] = r.high() | (random.nextLong() & ~Ip6Prefixes.maskHigh(r.length()));
            lows[i] = r.low() | (random.nextLong() & ~Ip6Prefixes.maskLow(r.length()));
        }
        fib.lookupBulk(highs, lows, bulk, 64);
        for (int i = 0; i < 64; i++) {
            assertEquals(reference.lookup(highs[i], lows[i]), bulk[i], "bulk lookup " + Ip6Prefixes.format(highs[i], lows[i]));
        }
        for (int i = 0; i < 300; i++) {
            check(fib, reference, random.nextLong(), random.nextLong());
            long[] anchor = ANCHORS[random.nextInt(ANCHORS.length)];
            check(fib, reference, anchor[0] ^ (random.nextLong() >>> (24 + random.nextInt(40))), anchor[1] ^ random.nextLong());
        }
    }

    private static void check(Ip6Fib fib, NaiveLpm6 reference, long high, long low) {
        int expected = reference.lookup(high, low);
        int actual = fib.lookup(high, low);
        if (expected != actual) {
            assertEquals(expected, actual, "lookup " + Ip6Prefixes.format(high, low));
        }
    }
}
