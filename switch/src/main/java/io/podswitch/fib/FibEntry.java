package io.podswitch.fib;

/**
 * The one-int entry shared by both FIBs' tables (tbl24 and the 256-entry tbl8 groups). An entry is
 * always read and written as a single int, so a reader sees either the old or the new entry, never
 * a mix.
 *
 * <pre>
 *   leaf (bit 31 = 0): the route that covers this slot
 *    31 30            23 22                                   0
 *   +--+----------------+--------------------------------------+
 *   | 0|  depth (0..128)|     adjacency + 1   (0 = no route)   |
 *   +--+----------------+--------------------------------------+
 *
 *   extended (bit 31 = 1): look further in a tbl8 group
 *    31 30                                                     0
 *   +--+-------------------------------------------------------+
 *   | 1|           tbl8 group index (0 .. 2^23-1)              |
 *   +--+-------------------------------------------------------+
 * </pre>
 *
 * <p>Why this shape: the all-zero int is "no route", so freshly allocated (zeroed) tables need no
 * fill; a reader tells leaf from extended with one sign test ({@code e < 0}); a leaf's adjacency is
 * {@code (e & 0x7FFFFF) - 1}, which is {@link Ip4Lookup#MISS} (-1) for the empty entry without a
 * branch. The depth (prefix length of the covering route) is only for the writer: it decides which
 * slots a new route may overwrite (those covered by a shorter or equal route) and which slots a
 * deleted route owned (those with exactly its depth).
 */
final class FibEntry {
    static final int EMPTY = 0;
    static final int EXTENDED = 0x8000_0000;
    static final int ADJACENCY_BITS = 23;
    static final int ADJACENCY_MASK = (1 << ADJACENCY_BITS) - 1;
    /** Largest adjacency index an entry can carry (the field stores index + 1, 0 meaning none). */
    static final int MAX_ADJACENCY = ADJACENCY_MASK - 1;
    /** Largest tbl8 group index: the group index shifted left by 8 must still fit a non-negative int. */
    static final int MAX_GROUPS = 1 << 23;

    private FibEntry() {
    }

    static int leaf(int adjacency, int depth) {
        return (depth << ADJACENCY_BITS) | (adjacency + 1);
    }

    static int extended(int group) {
        return EXTENDED | group;
    }

    static boolean isExtended(int entry) {
        return entry < 0;
    }

    static int group(int entry) {
        return entry & ~EXTENDED;
    }

    /** Depth of a leaf; 0 for the empty leaf (a /0 route also has depth 0, the writer never confuses them
     *  because it only compares depths, and an empty slot may be overwritten by any route). */
    static int depth(int leaf) {
        return leaf >>> ADJACENCY_BITS;
    }

    static int adjacency(int leaf) {
        return (leaf & ADJACENCY_MASK) - 1;
    }
}
