package io.podswitch.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * One writer churns a set of overlapping routes (each with its own adjacency) while readers look up
 * probe addresses without locks. A reader may see any route that covered the probe at some point,
 * or a miss, but never anything else: no garbage, no half-written entry, no entry of a recycled
 * tbl8 group. Groups are scarce, so they are retired and reused all the time, through the QSBR hook.
 */
class FibConcurrencyTest {
    private static final int READERS = 2;
    /*
     * Work, not time: the writer churns until it has done OPERATIONS operations and RECLAIMS
     * reclamations and the readers together have done the lookups asked of them, however slowly a
     * loaded machine runs the threads. The writer's sequence is seeded, so its counts do not depend
     * on scheduling; the readers are forced to progress by every grace period the writer awaits.
     */
    private static final long OPERATIONS = 1_500;
    private static final long RECLAIMS = 40;
    private static final long LOOKUPS4 = 1_000_000;
    private static final long LOOKUPS6 = 500_000;

    record Route4(int prefix, int length, int adjacency) {
    }

    record Route6(long high, long low, int length, int adjacency) {
    }

    private static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    @Test
    void ip4ReadersOnlySeeRoutesThatCoveredTheAddress() throws Exception {
        List<Route4> routes = new ArrayList<>();
        int[][] raw = {
            {10, 0, 0, 0, 7}, {10, 0, 0, 0, 8}, {10, 1, 0, 0, 16}, {10, 1, 0, 0, 20}, {10, 1, 2, 0, 24},
            {10, 1, 2, 0, 25}, {10, 1, 2, 128, 26}, {10, 1, 2, 192, 30}, {10, 1, 2, 193, 32}, {10, 1, 3, 0, 28},
            {10, 1, 4, 0, 27}, {10, 1, 5, 64, 26}, {10, 1, 6, 7, 32}, {10, 1, 7, 0, 31}, {10, 1, 8, 0, 29},
            {10, 1, 0, 0, 23}, {10, 1, 2, 0, 31}, {10, 1, 9, 128, 25},
        };
        for (int i = 0; i < raw.length; i++) {
            routes.add(new Route4(ip(raw[i][0], raw[i][1], raw[i][2], raw[i][3]), raw[i][4], 100 + i));
        }
        Random random = new Random(42);
        int[] probes = new int[512];
        for (int i = 0; i < probes.length; i++) {
            probes[i] = i % 8 == 0 ? random.nextInt() : ip(10, 1, random.nextInt(11), random.nextInt(256));
        }
        // allowed[p]: bit (adjacency - 100) for every route covering probe p, bit 63 for a miss.
        long[] allowed = new long[probes.length];
        for (int p = 0; p < probes.length; p++) {
            allowed[p] = 1L << 63;
            for (Route4 r : routes) {
                if ((probes[p] & Ip4Prefixes.mask(r.length())) == r.prefix()) {
                    allowed[p] |= 1L << (r.adjacency() - 100);
                }
            }
        }

        Ip4Fib fib = new Ip4Fib(4);
        ReaderQuiescence qsbr = new ReaderQuiescence(READERS);
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicLong lookups = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            int reader = r;
            readers.add(Thread.ofPlatform().name("fib-reader-" + r)
                // a reader that dies ends the churn (it would never bring its lookups)
                .uncaughtExceptionHandler((t, e) -> violation.compareAndSet(null, t.getName() + " threw " + e))
                .start(() -> {
                while (!qsbr.stopped()) {
                    for (int p = 0; p < probes.length; p++) {
                        int adjacency = fib.lookup(probes[p]);
                        long bit = adjacency == Ip4Lookup.MISS ? 1L << 63
                            : adjacency >= 100 && adjacency < 163 ? 1L << (adjacency - 100) : 0L;
                        if ((allowed[p] & bit) == 0) {
                            violation.compareAndSet(null, "lookup " + Ip4Prefixes.format(probes[p]) + " returned " + adjacency);
                        }
                    }
                    lookups.addAndGet(probes.length);
                    qsbr.quiescent(reader);
                    Thread.yield(); // the test box may have fewer cores than threads: let the writer run
                }
            }));
        }

        boolean[] present = new boolean[routes.size()];
        long reclaimed = 0;
        long operations = 0;
        try {
            while (violation.get() == null
                && (operations < OPERATIONS || reclaimed < RECLAIMS || lookups.get() < LOOKUPS4)) {
                int i = random.nextInt(routes.size());
                Route4 route = routes.get(i);
                if (present[i]) {
                    fib.delete(route.prefix(), route.length());
                    present[i] = false;
                } else {
                    try {
                        fib.add(route.prefix(), route.length(), route.adjacency());
                        present[i] = true;
                    } catch (IllegalStateException groupsExhausted) {
                        // Expected with 4 groups: wait out the grace period, reclaim, and move on.
                    }
                }
                operations++;
                if (fib.tbl8GroupsRetired() >= 2 || fib.tbl8GroupsAvailable() == 0) {
                    long token = fib.epoch();
                    qsbr.awaitGracePeriod();
                    reclaimed += fib.reclaim(token);
                }
            }
        } finally {
            qsbr.stop();
            for (Thread reader : readers) {
                reader.join();
            }
        }
        assertEquals(null, violation.get());
        assertTrue(lookups.get() >= LOOKUPS4, "readers ran: " + lookups.get() + " lookups");
        assertTrue(operations >= OPERATIONS, "writer churned: " + operations + " operations");
        assertTrue(reclaimed >= RECLAIMS, "tbl8 groups were recycled: " + reclaimed);
        // The final table still answers exactly.
        NaiveLpm4 reference = new NaiveLpm4();
        for (int i = 0; i < routes.size(); i++) {
            if (present[i]) {
                reference.add(routes.get(i).prefix(), routes.get(i).length(), routes.get(i).adjacency());
            }
        }
        for (int probe : probes) {
            assertEquals(reference.lookup(probe), fib.lookup(probe));
        }
    }

    @Test
    void ip6ReadersOnlySeeRoutesThatCoveredTheAddress() throws Exception {
        long doc = 0x20010db800000000L;
        List<Route6> routes = new ArrayList<>();
        long[][] raw = {
            {0x2001_0000_0000_0000L, 0, 16}, {doc, 0, 32}, {doc, 0, 48}, {doc | 0x10002L, 0, 64}, {doc | 0x10002L, 0x8000000000000000L, 65},
            {doc | 0x10002L, 0, 120}, {doc | 0x10002L, 0x10, 124}, {doc | 0x10002L, 0x11, 128}, {doc | 0x10002L, 0x300, 126},
            {doc | 0x10003L, 0, 64}, {doc | 0x10003L, 0xABCD000000000000L, 80}, {doc | 0x10003L, 0xABCD000000000001L, 128},
            {doc | 0x20000L, 0, 47}, {0x2001_0db0_0000_0000L, 0, 28}, {doc | 0x10002L, 0x40, 122}, {doc | 0x10000L, 0, 56},
        };
        for (int i = 0; i < raw.length; i++) {
            routes.add(new Route6(raw[i][0], raw[i][1], (int) raw[i][2], 100 + i));
        }
        Random random = new Random(7);
        long[] probeHigh = new long[256];
        long[] probeLow = new long[256];
        for (int i = 0; i < probeHigh.length; i++) {
            Route6 base = routes.get(random.nextInt(routes.size()));
            long hostHigh = ~Ip6Prefixes.maskHigh(base.length());
            long hostLow = ~Ip6Prefixes.maskLow(base.length());
            // Mostly near the route (few random host bits), sometimes anywhere inside it.
            long noise = random.nextBoolean() ? random.nextInt(1024) : random.nextLong();
            probeHigh[i] = base.high() | (random.nextBoolean() ? 0 : random.nextLong() & hostHigh);
            probeLow[i] = base.low() | (noise & hostLow);
        }
        long[] allowed = new long[probeHigh.length];
        for (int p = 0; p < probeHigh.length; p++) {
            allowed[p] = 1L << 63;
            for (Route6 r : routes) {
                if ((probeHigh[p] & Ip6Prefixes.maskHigh(r.length())) == r.high()
                    && (probeLow[p] & Ip6Prefixes.maskLow(r.length())) == r.low()) {
                    allowed[p] |= 1L << (r.adjacency() - 100);
                }
            }
        }

        Ip6Fib fib = new Ip6Fib(40);
        ReaderQuiescence qsbr = new ReaderQuiescence(READERS);
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicLong lookups = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            int reader = r;
            readers.add(Thread.ofPlatform().name("fib6-reader-" + r)
                // a reader that dies ends the churn (it would never bring its lookups)
                .uncaughtExceptionHandler((t, e) -> violation.compareAndSet(null, t.getName() + " threw " + e))
                .start(() -> {
                while (!qsbr.stopped()) {
                    for (int p = 0; p < probeHigh.length; p++) {
                        int adjacency = fib.lookup(probeHigh[p], probeLow[p]);
                        long bit = adjacency == Ip6Lookup.MISS ? 1L << 63
                            : adjacency >= 100 && adjacency < 163 ? 1L << (adjacency - 100) : 0L;
                        if ((allowed[p] & bit) == 0) {
                            violation.compareAndSet(null, "lookup " + Ip6Prefixes.format(probeHigh[p], probeLow[p]) + " returned " + adjacency);
                        }
                    }
                    lookups.addAndGet(probeHigh.length);
                    qsbr.quiescent(reader);
                    Thread.yield(); // the test box may have fewer cores than threads: let the writer run
                }
            }));
        }
        boolean[] present = new boolean[routes.size()];
        long reclaimed = 0;
        long operations = 0;
        try {
            while (violation.get() == null
                && (operations < OPERATIONS || reclaimed < RECLAIMS || lookups.get() < LOOKUPS6)) {
                int i = random.nextInt(routes.size());
                Route6 route = routes.get(i);
                if (present[i]) {
                    fib.delete(route.high(), route.low(), route.length());
                    present[i] = false;
                } else {
                    try {
                        fib.add(route.high(), route.low(), route.length(), route.adjacency());
                        present[i] = true;
                    } catch (IllegalStateException groupsExhausted) {
                        // Scarce groups on purpose: reclaim below and try another route.
                    }
                }
                operations++;
                if (fib.tbl8GroupsRetired() >= 2 || fib.tbl8GroupsAvailable() == 0) {
                    long token = fib.epoch();
                    qsbr.awaitGracePeriod();
                    reclaimed += fib.reclaim(token);
                }
            }
        } finally {
            qsbr.stop();
            for (Thread reader : readers) {
                reader.join();
            }
        }
        assertEquals(null, violation.get());
        assertTrue(lookups.get() >= LOOKUPS6, "readers ran: " + lookups.get() + " lookups");
        assertTrue(operations >= OPERATIONS, "writer churned: " + operations + " operations");
        assertTrue(reclaimed >= RECLAIMS, "tbl8 groups were recycled: " + reclaimed);
        NaiveLpm6 reference = new NaiveLpm6();
        for (int i = 0; i < routes.size(); i++) {
            if (present[i]) {
                Route6 r = routes.get(i);
                reference.add(r.high(), r.low(), r.length(), r.adjacency());
            }
        }
        for (int p = 0; p < probeHigh.length; p++) {
            assertEquals(reference.lookup(probeHigh[p], probeLow[p]), fib.lookup(probeHigh[p], probeLow[p]));
        }
    }
}
