package io.podswitch.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.agrona.collections.Int2IntHashMap;

/**
 * IPv4 longest-prefix match in the DIR-24-8 layout of DPDK's {@code rte_lpm}: at most two memory
 * reads per lookup.
 *
 * <pre>
 *   destination  a.b.c.d
 *                |-----| upper 24 bits             |d| low 8 bits
 *                   v                                v
 *   tbl24[2^24] ─ leaf ──────────────► adjacency      |
 *                └ extended(group g) ─► tbl8[g*256 + d] ─ leaf ─► adjacency
 * </pre>
 *
 * Routes up to /24 fill a range of tbl24 entries; a longer route turns its /24's tbl24 entry into a
 * pointer to a 256-entry tbl8 group (see {@link FibEntry} for the entry bits).
 *
 * <p><b>Concurrency</b>: one writer (the control thread calls {@link #add}, {@link #delete},
 * {@link #reclaim}), any number of readers calling {@link #lookup} without locks. Every entry is one
 * int written with a release store; a new tbl8 group is completely filled before the release store
 * of the tbl24 entry that publishes it, and the reader loads that tbl24 entry with acquire; a group
 * unlinked by a delete is reused only after {@link #reclaim} says its grace period is over. A lookup
 * concurrent with an update therefore returns the adjacency of a route that covered the address
 * either before or after the update, never a half-written value.
 *
 * <p><b>Control side</b>: a rules table per prefix length (like {@code rte_lpm}'s rules) keeps every
 * route, so that a delete restores the next shorter covering route in the slots it owned.
 *
 * <p><b>Memory</b>: tbl24 is 64 MiB; each tbl8 group 1 KiB. Both are plain {@code int[]}: measured
 * no slower than off-heap segments for the lookup (docs/benchmarks-fib.md), with no lifetime to manage.
 */
public final class Ip4Fib implements Ip4Lookup {
    /** Enough tbl8 groups for a full BGP table (about 45k prefixes longer than /24): 64 MiB. */
    public static final int DEFAULT_TBL8_GROUPS = 1 << 16;
    public static final int MAX_ADJACENCY = FibEntry.MAX_ADJACENCY;

    private static final int TBL24_SIZE = 1 << 24;
    private static final int MISSING = -1;
    private static final VarHandle INT_ARRAY = MethodHandles.arrayElementVarHandle(int[].class);

    private final int[] tbl24 = new int[TBL24_SIZE];
    private final int[] tbl8;
    private final Tbl8Groups groups;
    /** rules[length]: prefix → adjacency for every route of that length. */
    private final Int2IntHashMap[] rules = new Int2IntHashMap[33];
    private int routeCount;

    /** A FIB with {@link #DEFAULT_TBL8_GROUPS} groups for routes longer than /24. */
    public Ip4Fib() {
        this(DEFAULT_TBL8_GROUPS);
    }

    /** @param tbl8Groups how many /24s may hold routes longer than /24 at the same time (1 KiB each) */
    public Ip4Fib(int tbl8Groups) {
        groups = new Tbl8Groups(tbl8Groups);
        tbl8 = groups.entries();
        for (int length = 0; length <= 32; length++) {
            rules[length] = new Int2IntHashMap(MISSING);
        }
    }

    // ---------------------------------------------------------------- data path

    @Override
    public int lookup(int destination) {
        int entry = tbl24[destination >>> 8];
        // Acquire: the tbl8 group this entry may point to was filled before the entry was released.
        // A plain load plus the fence measured faster than VarHandle.getAcquire on the array.
        VarHandle.acquireFence();
        if (entry < 0) {
            // entry << 8 shifts the EXTENDED bit out and leaves group * 256.
            entry = tbl8[(entry << 8) | (destination & 0xFF)];
        }
        return (entry & FibEntry.ADJACENCY_MASK) - 1;
    }

    /**
     * Looks up {@code count} destinations; independent lookups overlap their memory reads in the CPU.
     * Writes {@link #MISS} where no route matches.
     */
    public void lookupBulk(int[] destinations, int[] adjacencies, int count) {
        // Two passes: first every tbl24 read (independent loads the CPU can have in flight together),
        // one acquire fence for all of them, then the few tbl8 reads and the decoding.
        for (int i = 0; i < count; i++) {
            adjacencies[i] = tbl24[destinations[i] >>> 8];
        }
        VarHandle.acquireFence();
        for (int i = 0; i < count; i++) {
            int entry = adjacencies[i];
            if (entry < 0) {
                entry = tbl8[(entry << 8) | (destinations[i] & 0xFF)];
            }
            adjacencies[i] = (entry & FibEntry.ADJACENCY_MASK) - 1;
        }
    }

    // ---------------------------------------------------------------- control plane

    /**
     * Adds a route, or changes the adjacency of an existing one.
     *
     * @param prefix    network address, host bits zero (e.g. 0x0A000000 for 10.0.0.0/8)
     * @param length    prefix length 0..32
     * @param adjacency adjacency index 0..{@link #MAX_ADJACENCY}
     * @return true if the route is new, false if it replaced the adjacency of the same prefix
     * @throws IllegalArgumentException on a bad prefix, length or adjacency (nothing changed)
     * @throws IllegalStateException    when no tbl8 group is available for a route longer than /24
     *                                  (nothing changed)
     */
    public boolean add(int prefix, int length, int adjacency) {
        checkPrefix(prefix, length);
        if (adjacency < 0 || adjacency > MAX_ADJACENCY) {
            throw new IllegalArgumentException("adjacency " + adjacency + " outside 0.." + MAX_ADJACENCY
                + " for route " + Ip4Prefixes.format(prefix, length));
        }
        int tbl24Index = prefix >>> 8;
        if (length > 24 && tbl24[tbl24Index] >= 0 && groups.available() == 0) {
            throw new IllegalStateException("cannot add " + Ip4Prefixes.format(prefix, length) + ": "
                + groups.exhaustedMessage());
        }
        int previous = rules[length].put(prefix, adjacency);
        if (previous == MISSING) {
            routeCount++;
        }
        int leaf = FibEntry.leaf(adjacency, length);
        if (length <= 24) {
            int end = tbl24Index + (1 << (24 - length));
            for (int i = tbl24Index; i < end; i++) {
                int entry = tbl24[i];
                if (entry < 0) {
                    overwriteShorter(FibEntry.group(entry) << 8, Tbl8Groups.GROUP_SIZE, length, leaf);
                } else if (FibEntry.depth(entry) <= length) {
                    INT_ARRAY.setRelease(tbl24, i, leaf);
                }
            }
        } else {
            int entry = tbl24[tbl24Index];
            int first = prefix & 0xFF;
            int count = 1 << (32 - length);
            if (entry >= 0) {
                // New group: a copy of the /24's current route, then the new route, all unreachable
                // until the release store below publishes it.
                int group = groups.allocate(entry);
                java.util.Arrays.fill(tbl8, (group << 8) + first, (group << 8) + first + count, leaf);
                INT_ARRAY.setRelease(tbl24, tbl24Index, FibEntry.extended(group));
            } else {
                overwriteShorter((FibEntry.group(entry) << 8) + first, count, length, leaf);
            }
        }
        return previous == MISSING;
    }

    /** Slots whose route is no longer than {@code length} now belong to the new route. */
    private void overwriteShorter(int from, int count, int length, int leaf) {
        for (int i = from, end = from + count; i < end; i++) {
            if (FibEntry.depth(tbl8[i]) <= length) {
                groups.storeRelease(i, leaf);
            }
        }
    }

    /**
     * Deletes a route; the addresses it covered fall back to the next shorter covering route (or to
     * no route).
     *
     * @return false if there was no such route (nothing changed)
     * @throws IllegalArgumentException on a bad prefix or length (nothing changed)
     */
    public boolean delete(int prefix, int length) {
        checkPrefix(prefix, length);
        if (rules[length].remove(prefix) == MISSING) {
            return false;
        }
        routeCount--;
        int replacement = coveringLeaf(prefix, length);
        int tbl24Index = prefix >>> 8;
        if (length <= 24) {
            int end = tbl24Index + (1 << (24 - length));
            for (int i = tbl24Index; i < end; i++) {
                int entry = tbl24[i];
                if (entry < 0) {
                    replaceOwned(FibEntry.group(entry) << 8, Tbl8Groups.GROUP_SIZE, length, replacement);
                } else if (FibEntry.depth(entry) == length) {
                    INT_ARRAY.setRelease(tbl24, i, replacement);
                }
            }
        } else {
            int group = FibEntry.group(tbl24[tbl24Index]);
            replaceOwned((group << 8) + (prefix & 0xFF), 1 << (32 - length), length, replacement);
            collapseIfShallow(tbl24Index, group);
        }
        return true;
    }

    /** Slots that held exactly this route (same depth in its range) take the replacement. */
    private void replaceOwned(int from, int count, int length, int replacement) {
        for (int i = from, end = from + count; i < end; i++) {
            if (FibEntry.depth(tbl8[i]) == length) {
                groups.storeRelease(i, replacement);
            }
        }
    }

    /**
     * A group without routes longer than /24 holds one value everywhere (the /24's covering route):
     * put it back into tbl24 and retire the group.
     */
    private void collapseIfShallow(int tbl24Index, int group) {
        int base = group << 8;
        for (int i = base; i < base + Tbl8Groups.GROUP_SIZE; i++) {
            if (FibEntry.depth(tbl8[i]) > 24) {
                return;
            }
        }
        INT_ARRAY.setRelease(tbl24, tbl24Index, tbl8[base]);
        groups.retire(group);
    }

    /** The leaf of the longest route shorter than {@code length} that covers the prefix, or empty. */
    private int coveringLeaf(int prefix, int length) {
        for (int shorter = length - 1; shorter >= 0; shorter--) {
            int adjacency = rules[shorter].get(prefix & Ip4Prefixes.mask(shorter));
            if (adjacency != MISSING) {
                return FibEntry.leaf(adjacency, shorter);
            }
        }
        return FibEntry.EMPTY;
    }

    private static void checkPrefix(int prefix, int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("IPv4 prefix length " + length + " outside 0..32");
        }
        if ((prefix & ~Ip4Prefixes.mask(length)) != 0) {
            throw new IllegalArgumentException("IPv4 prefix " + Ip4Prefixes.format(prefix, length)
                + " has host bits set (network is " + Ip4Prefixes.format(prefix & Ip4Prefixes.mask(length), length) + ")");
        }
    }

    /** The adjacency of exactly this route, or {@link #MISS} if there is none. */
    public int adjacency(int prefix, int length) {
        checkPrefix(prefix, length);
        return rules[length].get(prefix);
    }

    /** Calls {@code consumer} for every route, shortest prefixes first. Control thread only. */
    public void forEachRoute(Ip4RouteConsumer consumer) {
        for (int length = 0; length <= 32; length++) {
            int l = length;
            rules[length].forEachInt((prefix, adjacency) -> consumer.accept(prefix, l, adjacency));
        }
    }

    public int routeCount() {
        return routeCount;
    }

    /** Bytes held by the lookup tables and the rules table (approximate for the hash maps). */
    public long memoryBytes() {
        long bytes = (long) tbl24.length * Integer.BYTES + groups.memoryBytes();
        for (Int2IntHashMap map : rules) {
            bytes += (long) map.capacity() * 2 * Integer.BYTES;
        }
        return bytes;
    }

    // ---------------------------------------------------------------- tbl8 reuse (QSBR hook)

    /**
     * The retirement epoch: take it after a batch of deletes, wait until every reader has passed a
     * quiescent point, then {@link #reclaim(long)} it.
     */
    public long epoch() {
        return groups.epoch();
    }

    /**
     * Makes tbl8 groups retired up to {@code safeEpoch} reusable. Call it only when no reader can
     * still be inside a lookup that started before {@code safeEpoch} was read; with no concurrent
     * readers at all (building a table before publishing it), {@code reclaim(epoch())} is always safe.
     *
     * @return the number of groups made reusable
     */
    public int reclaim(long safeEpoch) {
        return groups.reclaim(safeEpoch);
    }

    public int tbl8GroupsInUse() {
        return groups.inUse();
    }

    public int tbl8GroupsRetired() {
        return groups.retired();
    }

    public int tbl8GroupsAvailable() {
        return groups.available();
    }
}
