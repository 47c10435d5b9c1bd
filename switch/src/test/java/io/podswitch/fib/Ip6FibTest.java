package io.podswitch.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Ip6FibTest {
    private static final long DOC = 0x20010db800000000L; // 2001:db8::/32

    private final Ip6Fib fib = new Ip6Fib(64);

    @Test
    void defaultRouteCoversEverythingAndDeletingItLeavesNothing() {
        assertEquals(Ip6Lookup.MISS, fib.lookup(DOC, 1));
        fib.add(0, 0, 0, 5);
        assertEquals(5, fib.lookup(DOC, 1));
        assertEquals(5, fib.lookup(-1L, -1L));
        fib.add(DOC, 0x10, 128, 6);
        assertEquals(6, fib.lookup(DOC, 0x10));
        assertEquals(5, fib.lookup(DOC, 0x11), "the /128's groups inherit the default route");
        assertTrue(fib.delete(0, 0, 0));
        assertEquals(Ip6Lookup.MISS, fib.lookup(DOC, 0x11));
        assertEquals(6, fib.lookup(DOC, 0x10));
    }

    @Test
    void hostRouteUsesThirteenLevelsAndFoldsBackOnDelete() {
        fib.add(DOC, 0xABCDL, 128, 9);
        assertEquals(13, fib.tbl8GroupsInUse(), "one group per byte after the first three");
        assertEquals(9, fib.lookup(DOC, 0xABCDL));
        assertEquals(Ip6Lookup.MISS, fib.lookup(DOC, 0xABCCL));
        assertEquals(Ip6Lookup.MISS, fib.lookup(DOC | 1, 0xABCDL));
        fib.delete(DOC, 0xABCDL, 128);
        assertEquals(0, fib.tbl8GroupsInUse());
        assertEquals(13, fib.tbl8GroupsRetired());
        assertEquals(Ip6Lookup.MISS, fib.lookup(DOC, 0xABCDL));
    }

    @Test
    void deletingAPrefixWithMoreSpecificsRevertsToTheShorterRoute() {
        fib.add(DOC, 0, 32, 1);                       // 2001:db8::/32
        fib.add(DOC | 0x0001_0000L, 0, 48, 2);    // 2001:db8:1::/48
        fib.add(DOC | 0x0001_0002L, 0, 64, 3);    // 2001:db8:1:2::/64
        fib.add(DOC | 0x0001_0002L, 0x5L << 60, 68, 4);
        fib.delete(DOC | 0x0001_0000L, 0, 48);
        assertEquals(1, fib.lookup(DOC | 0x0001_0003L, 7), "former /48 space falls back to /32");
        assertEquals(3, fib.lookup(DOC | 0x0001_0002L, 7));
        assertEquals(4, fib.lookup(DOC | 0x0001_0002L, (0x5L << 60) | 7));
        fib.delete(DOC | 0x0001_0002L, 0, 64);
        assertEquals(1, fib.lookup(DOC | 0x0001_0002L, 7));
        assertEquals(4, fib.lookup(DOC | 0x0001_0002L, (0x5L << 60) | 7));
        assertFalse(fib.delete(DOC | 0x0001_0002L, 0, 64));
        assertEquals(2, fib.routeCount());
    }

    @Test
    void badInputIsRejectedAndChangesNothing() {
        fib.add(DOC, 0, 32, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fib.add(DOC, 1, 64, 2));
        assertEquals("IPv6 prefix 2001:db8:0:0:0:0:0:1/64 has host bits set (network is 2001:db8:0:0:0:0:0:0/64)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fib.add(DOC, 0, 129, 2));
        assertThrows(IllegalArgumentException.class, () -> fib.add(DOC, 0, 64, -3));
        assertEquals(1, fib.routeCount());
        assertEquals(1, fib.lookup(DOC, 1));
    }

    @Test
    void anAddNeedingMoreGroupsThanAvailableFailsWithoutChanges() {
        Ip6Fib small = new Ip6Fib(13);
        assertTrue(small.add(DOC, 0, 120, 1));
        assertEquals(12, small.tbl8GroupsInUse(), "a /120 ends in level 12");
        assertTrue(small.add(DOC, 1, 128, 2));
        assertEquals(13, small.tbl8GroupsInUse());
        // 2001:db8:0:1::1 shares the first 5 groups of the path (bytes 0..6 equal), needs 8 new ones.
        IllegalStateException full = assertThrows(IllegalStateException.class, () -> small.add(DOC | 1, 1, 128, 3));
        assertTrue(full.getMessage().contains("needs 8 tbl8 groups, 0 available"), full.getMessage());
        assertEquals(2, small.routeCount());
        assertEquals(13, small.tbl8GroupsInUse());
        assertEquals(Ip6Lookup.MISS, small.lookup(DOC | 1, 1));
        assertEquals(2, small.lookup(DOC, 1));
        assertEquals(1, small.lookup(DOC, 2));
    }
}
