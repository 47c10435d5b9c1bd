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
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/** Random route sets, adds, replaces and deletes, checked lookup by lookup against {@link NaiveLpm4}. */
class Ip4FibPropertiesTest {
    record Route(int prefix, int length, int adjacency) {
    }

    /** A few anchors so that random prefixes overlap (nest) often; plus fully random ones. */
    private static final int[] ANCHORS = {0x0A000000, 0x0A010200, 0xC0A80000, 0x00000000, 0xFFFFFF00, 0x7F000000};

    @Provide
    Arbitrary<Route> route() {
        Arbitrary<Integer> anchor = Arbitraries.of(0, 1, 2, 3, 4, 5).map(i -> ANCHORS[i]);
        Arbitrary<Integer> noise = Arbitraries.oneOf(Arbitraries.integers().between(0, 0x3FF), Arbitraries.integers());
        // Short prefixes rewrite up to 2^24 slots each: keep them, but rarer, so a try stays fast.
        Arbitrary<Integer> length = Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.integers().between(0, 32)), Tuple.of(4, Arbitraries.integers().between(16, 32)));
        Arbitrary<Integer> adjacency = Arbitraries.integers().between(0, 1000);
        return Combinators.combine(anchor, noise, length, adjacency)
            .as((a, n, l, adj) -> new Route((a ^ n) & Ip4Prefixes.mask(l), l, adj));
    }

    @Provide
    Arbitrary<List<Route>> routes() {
        return route().list().ofMinSize(1).ofMaxSize(200);
    }

    @Property(tries = 25)
    void lookupsMatchTheNaiveReferenceThroughAddsReplacesAndDeletes(
        @ForAll("routes") List<Route> routes, @ForAll long seed, @ForAll @IntRange(min = 0, max = 100) int deletePercent) {
        Random random = new Random(seed);
        Ip4Fib fib = new Ip4Fib(300);
        NaiveLpm4 reference = new NaiveLpm4();
        for (Route r : routes) {
            fib.add(r.prefix(), r.length(), r.adjacency());
            reference.add(r.prefix(), r.length(), r.adjacency());
        }
        checkAll(fib, reference, routes, random);

        for (Route r : routes) {
            if (random.nextInt(100) < deletePercent) {
                assertEquals(reference.delete(r.prefix(), r.length()), fib.delete(r.prefix(), r.length()),
                    "delete result of " + Ip4Prefixes.format(r.prefix(), r.length()));
            }
        }
        checkAll(fib, reference, routes, random);

        // Re-add some deleted ones with other adjacencies, replace some kept ones.
        for (Route r : routes) {
            if (random.nextBoolean()) {
                int adjacency = random.nextInt(1000);
                fib.add(r.prefix(), r.length(), adjacency);
                reference.add(r.prefix(), r.length(), adjacency);
            }
        }
        checkAll(fib, reference, routes, random);

        // Deleting everything leaves an empty FIB whose tbl8 groups have all been retired.
        for (NaiveLpm4.Prefix p : new ArrayList<>(reference.routes.keySet())) {
            fib.delete(p.prefix(), p.length());
            reference.delete(p.prefix(), p.length());
        }
        checkAll(fib, reference, routes, random);
        assertEquals(0, fib.tbl8GroupsInUse(), "groups left after deleting every route");
        fib.reclaim(fib.epoch());
        assertEquals(0, fib.tbl8GroupsRetired());
        assertEquals(300, fib.tbl8GroupsAvailable());
    }

    private static void checkAll(Ip4Fib fib, NaiveLpm4 reference, List<Route> routes, Random random) {
        assertEquals(reference.routes.size(), fib.routeCount(), "route count");
        Map<NaiveLpm4.Prefix, Integer> listed = new HashMap<>();
        fib.forEachRoute((prefix, length, adjacency) -> listed.put(new NaiveLpm4.Prefix(prefix, length), adjacency));
        assertEquals(reference.routes, listed, "listed routes");
        for (Route r : routes) {
            int size = r.length() == 0 ? -1 : (1 << (32 - r.length())) - 1; // host part mask (all ones for /0)
            int hostMask = r.length() == 0 ? -1 : size;
            check(fib, reference, r.prefix());
            check(fib, reference, r.prefix() | hostMask);
            check(fib, reference, r.prefix() - 1);
            check(fib, reference, r.prefix() | (random.nextInt() & hostMask));
            check(fib, reference, r.prefix() | (random.nextInt() & hostMask));
            Integer expected = reference.routes.get(new NaiveLpm4.Prefix(r.prefix(), r.length()));
            assertEquals(expected == null ? Ip4Lookup.MISS : expected, fib.adjacency(r.prefix(), r.length()));
        }
        int[] batch = new int[1000];
        for (int i = 0; i < 500; i++) {
            batch[2 * i] = random.nextInt();
            batch[2 * i + 1] = ANCHORS[random.nextInt(ANCHORS.length)] ^ random.nextInt(1 << 12);
            check(fib, reference, batch[2 * i]);
            check(fib, reference, batch[2 * i + 1]);
        }
        int[] bulk = new int[1000];
        fib.lookupBulk(batch, bulk, batch.length);
        for (int i = 0; i < batch.length; i++) {
            assertEquals(reference.lookup(batch[i]), bulk[i], "bulk lookup " + Ip4Prefixes.format(batch[i]));
        }
    }

    private static void check(Ip4Fib fib, NaiveLpm4 reference, int address) {
        int expected = reference.lookup(address);
        int actual = fib.lookup(address);
        if (expected != actual) {
            assertEquals(expected, actual, "lookup " + Ip4Prefixes.format(address));
        }
    }
}
