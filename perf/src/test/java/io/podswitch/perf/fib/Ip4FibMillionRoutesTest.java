package io.podswitch.perf.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import io.podswitch.fib.Ip4Fib;
import io.podswitch.fib.Ip4Lookup;
import io.podswitch.fib.Ip4Prefixes;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.Test;

/**
 * The full 1,076,806-route BGP-like table fits, loads, answers like an independent LPM (hash probe
 * per prefix length), and unloads back to an empty FIB with every tbl8 group retired. The load rate
 * is printed (never asserted: timings are for JMH, not tests).
 */
class Ip4FibMillionRoutesTest {
    @Test
    void loadsTheBgpLikeTableAndAnswersLikeAPerLengthHashProbe() {
        BgpLikeIp4Routes routes = BgpLikeIp4Routes.generate(1);
        assertEquals(1_076_806, routes.size());
        // Reference: (length << 32 | prefix) -> adjacency; the last add of a duplicate wins, as in the FIB.
        Long2LongHashMap reference = new Long2LongHashMap(2_000_000, 0.65f, -1L);
        Ip4Fib fib = new Ip4Fib();

        long start = System.nanoTime();
        for (int i = 0; i < routes.size(); i++) {
            fib.add(routes.prefix(i), routes.length(i), i & 0xFFFF);
        }
        long loadNanos = System.nanoTime() - start;
        for (int i = 0; i < routes.size(); i++) {
            reference.put(key(routes.prefix(i), routes.length(i)), i & 0xFFFF);
        }
        System.out.printf("loaded %d routes (%d distinct) in %d ms: %.0f ns/route; %d tbl8 groups; %d MiB%n",
            routes.size(), fib.routeCount(), loadNanos / 1_000_000, (double) loadNanos / routes.size(),
            fib.tbl8GroupsInUse(), fib.memoryBytes() >> 20);
        assertEquals(reference.size(), fib.routeCount());

        SplittableRandom random = new SplittableRandom(5);
        int misses = 0;
        for (int n = 0; n < 200_000; n++) {
            int address;
            if (n % 2 == 0) {
                address = random.nextInt();
            } else {
                int i = random.nextInt(routes.size());
                int host = routes.length(i) == 32 ? 0 : random.nextInt() & ~Ip4Prefixes.mask(routes.length(i));
                address = routes.prefix(i) | host;
            }
            int expected = probe(reference, address);
            assertEquals(expected, fib.lookup(address), () -> "lookup " + Ip4Prefixes.format(address));
            if (expected == Ip4Lookup.MISS) {
                misses++;
            }
        }
        assertTrue(misses > 5_000 && misses < 30_000, "about 12.5% of random addresses miss: " + misses);

        start = System.nanoTime();
        for (int i = 0; i < routes.size(); i++) {
            fib.delete(routes.prefix(i), routes.length(i));
        }
        long unloadNanos = System.nanoTime() - start;
        System.out.printf("deleted all in %d ms%n", unloadNanos / 1_000_000);
        assertEquals(0, fib.routeCount());
        assertEquals(0, fib.tbl8GroupsInUse());
        for (int n = 0; n < 10_000; n++) {
            assertEquals(Ip4Lookup.MISS, fib.lookup(random.nextInt()));
        }
    }

    private static long key(int prefix, int length) {
        return ((long) length << 32) | (prefix & 0xFFFF_FFFFL);
    }

    private static int probe(Long2LongHashMap reference, int address) {
        for (int length = 32; length >= 0; length--) {
            long adjacency = reference.get(key(address & Ip4Prefixes.mask(length), length));
            if (adjacency != -1L) {
                return (int) adjacency;
            }
        }
        return Ip4Lookup.MISS;
    }
}
