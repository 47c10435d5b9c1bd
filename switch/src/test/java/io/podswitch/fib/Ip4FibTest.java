package io.podswitch.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Ip4FibTest {
    private static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    private final Ip4Fib fib = new Ip4Fib(4);

    @Test
    void emptyFibMissesEverything() {
        assertEquals(Ip4Lookup.MISS, fib.lookup(0));
        assertEquals(Ip4Lookup.MISS, fib.lookup(-1));
        assertEquals(0, fib.routeCount());
    }

    @Test
    void defaultRouteCoversEveryAddressAndDeletingItLeavesNothing() {
        assertTrue(fib.add(0, 0, 7));
        assertEquals(7, fib.lookup(0));
        assertEquals(7, fib.lookup(-1));
        assertEquals(7, fib.lookup(ip(10, 1, 2, 3)));
        fib.add(ip(10, 1, 2, 0), 25, 9);
        assertEquals(7, fib.lookup(ip(10, 1, 2, 200)), "a /25 group inherits the default route");
        assertEquals(9, fib.lookup(ip(10, 1, 2, 3)));
        assertTrue(fib.delete(0, 0));
        assertEquals(Ip4Lookup.MISS, fib.lookup(ip(10, 1, 2, 200)));
        assertEquals(Ip4Lookup.MISS, fib.lookup(-1));
        assertEquals(9, fib.lookup(ip(10, 1, 2, 3)));
    }

    @Test
    void hostRouteMatchesOnlyItsAddress() {
        fib.add(ip(192, 168, 1, 10), 32, 3);
        assertEquals(3, fib.lookup(ip(192, 168, 1, 10)));
        assertEquals(Ip4Lookup.MISS, fib.lookup(ip(192, 168, 1, 11)));
        assertEquals(Ip4Lookup.MISS, fib.lookup(ip(192, 168, 1, 9)));
        assertEquals(1, fib.tbl8GroupsInUse());
        assertTrue(fib.delete(ip(192, 168, 1, 10), 32));
        assertEquals(Ip4Lookup.MISS, fib.lookup(ip(192, 168, 1, 10)));
        assertEquals(0, fib.tbl8GroupsInUse());
        assertEquals(1, fib.tbl8GroupsRetired());
    }

    @Test
    void deletingA20WithMoreSpecificsRevertsOnlyItsOwnSlotsToTheShorterRoute() {
        fib.add(ip(10, 0, 0, 0), 8, 1);
        fib.add(ip(10, 1, 0, 0), 16, 2);
        fib.add(ip(10, 1, 16, 0), 20, 3);
        fib.add(ip(10, 1, 17, 0), 24, 4);
        fib.add(ip(10, 1, 18, 64), 26, 5);
        assertEquals(3, fib.lookup(ip(10, 1, 18, 1)));
        assertEquals(3, fib.lookup(ip(10, 1, 31, 255)));

        assertTrue(fib.delete(ip(10, 1, 16, 0), 20));

        assertEquals(2, fib.lookup(ip(10, 1, 16, 1)), "/20's own slot falls back to the /16");
        assertEquals(2, fib.lookup(ip(10, 1, 31, 255)));
        assertEquals(2, fib.lookup(ip(10, 1, 18, 1)), "in the /26's group, the /20 slots fall back too");
        assertEquals(4, fib.lookup(ip(10, 1, 17, 99)), "more specific /24 untouched");
        assertEquals(5, fib.lookup(ip(10, 1, 18, 100)), "more specific /26 untouched");
        assertEquals(1, fib.lookup(ip(10, 2, 0, 0)));

        assertTrue(fib.delete(ip(10, 1, 0, 0), 16));
        assertEquals(1, fib.lookup(ip(10, 1, 18, 1)));
        assertFalse(fib.delete(ip(10, 1, 16, 0), 20), "already gone");
    }

    @Test
    void shorterRouteAddedLaterDoesNotHideLongerOnes() {
        fib.add(ip(10, 1, 2, 0), 24, 4);
        fib.add(ip(10, 1, 2, 128), 25, 5);
        fib.add(ip(10, 0, 0, 0), 8, 1);
        assertEquals(4, fib.lookup(ip(10, 1, 2, 1)));
        assertEquals(5, fib.lookup(ip(10, 1, 2, 129)));
        assertEquals(1, fib.lookup(ip(10, 1, 3, 1)));
    }

    @Test
    void addingAnExistingRouteReplacesItsAdjacency() {
        assertTrue(fib.add(ip(10, 0, 0, 0), 8, 1));
        assertFalse(fib.add(ip(10, 0, 0, 0), 8, 2));
        assertEquals(2, fib.lookup(ip(10, 9, 9, 9)));
        assertEquals(1, fib.routeCount());
        assertEquals(2, fib.adjacency(ip(10, 0, 0, 0), 8));
    }

    @Test
    void badInputIsRejectedPreciselyAndChangesNothing() {
        fib.add(ip(10, 0, 0, 0), 8, 1);
        IllegalArgumentException hostBits = assertThrows(IllegalArgumentException.class, () -> fib.add(ip(10, 1, 2, 3), 16, 5));
        assertEquals("IPv4 prefix 10.1.2.3/16 has host bits set (network is 10.1.0.0/16)", hostBits.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fib.add(0, 33, 5));
        assertThrows(IllegalArgumentException.class, () -> fib.add(0, -1, 5));
        assertThrows(IllegalArgumentException.class, () -> fib.add(0, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> fib.add(0, 0, Ip4Fib.MAX_ADJACENCY + 1));
        assertThrows(IllegalArgumentException.class, () -> fib.delete(ip(10, 0, 0, 1), 8));
        assertEquals(1, fib.routeCount());
        assertEquals(1, fib.lookup(ip(10, 1, 2, 3)));
        assertEquals(Ip4Lookup.MISS, fib.lookup(ip(11, 1, 2, 3)));
        assertTrue(fib.add(0, 0, Ip4Fib.MAX_ADJACENCY));
        assertEquals(Ip4Fib.MAX_ADJACENCY, fib.lookup(ip(11, 1, 2, 3)));
    }

    @Test
    void exhaustedGroupsFailTheAddWithoutChangesAndRetiredGroupsWaitForReclaim() {
        Ip4Fib small = new Ip4Fib(1);
        small.add(ip(10, 0, 0, 0), 25, 1);
        IllegalStateException full = assertThrows(IllegalStateException.class, () -> small.add(ip(10, 0, 1, 0), 25, 2));
        assertTrue(full.getMessage().startsWith("cannot add 10.0.1.0/25: tbl8 groups exhausted"), full.getMessage());
        assertEquals(1, small.routeCount());
        assertEquals(Ip4Lookup.MISS, small.lookup(ip(10, 0, 1, 0)));
        small.add(ip(10, 0, 0, 128), 25, 3); // same /24: same group, no new one needed

        small.delete(ip(10, 0, 0, 0), 25);
        small.delete(ip(10, 0, 0, 128), 25);
        long token = small.epoch();
        assertEquals(1, small.tbl8GroupsRetired());
        assertThrows(IllegalStateException.class, () -> small.add(ip(10, 0, 1, 0), 25, 2),
            "a retired group is not reused before its grace period");
        assertEquals(0, small.reclaim(token - 1));
        assertEquals(1, small.reclaim(token));
        assertTrue(small.add(ip(10, 0, 1, 0), 25, 2));
        assertEquals(2, small.lookup(ip(10, 0, 1, 5)));
        assertEquals(Ip4Lookup.MISS, small.lookup(ip(10, 0, 0, 5)), "reused group carries nothing of its past");
    }

    @Test
    void listsRoutesAndReportsMemory() {
        fib.add(ip(10, 0, 0, 0), 8, 1);
        fib.add(ip(10, 1, 2, 3), 32, 2);
        StringBuilder listed = new StringBuilder();
        fib.forEachRoute((prefix, length, adjacency) ->
            listed.append(Ip4Prefixes.format(prefix, length)).append("->").append(adjacency).append(' '));
        assertEquals("10.0.0.0/8->1 10.1.2.3/32->2 ", listed.toString());
        assertTrue(fib.memoryBytes() >= (1L << 24) * 4, "tbl24 alone is 64 MiB");
    }
}
