package io.podswitch.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;

/**
 * IPv6 longest-prefix match in the layout of DPDK's {@code rte_lpm6}: a tbl24 indexed by the first
 * 24 bits, then 256-entry tbl8 groups, one per further address byte; at most 1 + 13 = 14 memory reads.
 *
 * <pre>
 *   address  | bytes 0-2 | b3 | b4 | ... | b15 |
 *                 v         v    v          v
 *   tbl24[2^24] ─ext─► group[b3] ─ext─► group[b4] ... ─► leaf ─► adjacency
 *   level:   0            1           2           13
 *   a route of length L lives at level 0 if L <= 24, else at level ceil((L - 24) / 8)
 * </pre>
 *
 * Entries are {@link FibEntry} ints. Concurrency and reuse rules are those of {@link Ip4Fib}: one
 * writer, lock-free readers, every entry a single int written with a release store and read with
 * acquire, new groups filled before the pointer to them is published, retired groups reused only
 * after {@link #reclaim(long)}.
 *
 * <p>A new group on the path of a longer route is first filled with a copy of the entry it replaces
 * and published at once: it answers exactly as the old entry did, so publishing it early changes no
 * lookup result, and the route's own slots are then written one release store at a time.
 */
public final class Ip6Fib implements Ip6Lookup {
    /** Enough groups for some thousands of long routes (each needs at most 13): 16 MiB. */
    public static final int DEFAULT_TBL8_GROUPS = 1 << 14;
    public static final int MAX_ADJACENCY = FibEntry.MAX_ADJACENCY;

    private static final int TBL24_SIZE = 1 << 24;
    private static final int LEVELS = 14;
    private static final VarHandle INT_ARRAY = MethodHandles.arrayElementVarHandle(int[].class);

    private record Route(long high, long low, int length) {
    }

    private final int[] tbl24 = new int[TBL24_SIZE];
    private final int[] tbl8;
    private final Tbl8Groups groups;
    private final Map<Route, Integer> rules = new HashMap<>();
    /** Scratch for delete: the entry index and group of the route's path at each level. */
    private final int[] pathSlot = new int[LEVELS];
    private final int[] pathGroup = new int[LEVELS];

    public Ip6Fib() {
        this(DEFAULT_TBL8_GROUPS);
    }

    /** @param tbl8Groups the number of 256-entry groups for routes longer than /24 (1 KiB each) */
    public Ip6Fib(int tbl8Groups) {
        groups = new Tbl8Groups(tbl8Groups);
        tbl8 = groups.entries();
    }

    // ---------------------------------------------------------------- data path

    @Override
    public int lookup(long high, long low) {
        // Every level is an acquire load (plain load + acquire fence: measured 40% faster here than
        // VarHandle.getAcquire on the array), so a group is seen filled once its pointer is seen.
        int entry = tbl24[(int) (high >>> 40)];
        VarHandle.acquireFence();
        if (entry < 0) {
            // The remaining 104 bits, shifted one byte per level out of the top of (rest, tail).
            long rest = (high << 24) | (low >>> 40);
            long tail = low << 24;
            do {
                entry = tbl8[(entry << 8) | (int) (rest >>> 56)];
                VarHandle.acquireFence();
                rest = (rest << 8) | (tail >>> 56);
                tail <<= 8;
            } while (entry < 0);
        }
        return (entry & FibEntry.ADJACENCY_MASK) - 1;
    }

    /** Looks up {@code count} addresses given as parallel high/low arrays; {@link #MISS} where none matches. */
    public void lookupBulk(long[] highs, long[] lows, int[] adjacencies, int count) {
        for (int i = 0; i < count; i++) {
            adjacencies[i] = lookup(highs[i], lows[i]);
        }
    }

    // ---------------------------------------------------------------- control plane

    private static int levelOf(int length) {
        return length <= 24 ? 0 : (length - 24 + 7) >>> 3;
    }

    /** Last bit (exclusive) covered by a level: 24, 32, 40, ... 128. */
    private static int levelEnd(int level) {
        return 24 + 8 * level;
    }

    /** Index within the level's table (tbl24 index, or byte within a group) of an address. */
    private static int indexAt(long high, long low, int level) {
        return level == 0 ? (int) (high >>> 40) : Ip6Prefixes.byteAt(high, low, level + 2);
    }

    /**
     * Adds a route, or changes the adjacency of an existing one.
     *
     * @return true if the route is new
     * @throws IllegalArgumentException on a bad prefix, length or adjacency (nothing changed)
     * @throws IllegalStateException    when too few tbl8 groups are available (nothing changed)
     */
    public boolean add(long high, long low, int length, int adjacency) {
        checkPrefix(high, low, length);
        if (adjacency < 0 || adjacency > MAX_ADJACENCY) {
            throw new IllegalArgumentException("adjacency " + adjacency + " outside 0.." + MAX_ADJACENCY
                + " for route " + Ip6Prefixes.format(high, low, length));
        }
        int target = levelOf(length);
        int needed = groupsNeeded(high, low, target);
        if (needed > groups.available()) {
            throw new IllegalStateException("cannot add " + Ip6Prefixes.format(high, low, length) + " (needs "
                + needed + " tbl8 groups, " + groups.available() + " available): " + groups.exhaustedMessage());
        }
        Integer previous = rules.put(new Route(high, low, length), adjacency);
        int leaf = FibEntry.leaf(adjacency, length);

        int[] table = tbl24;
        int slot = indexAt(high, low, 0);
        for (int level = 0; level < target; level++) {
            int entry = table[slot];
            int group;
            if (entry >= 0) {
                group = groups.allocate(entry);
                INT_ARRAY.setRelease(table, slot, FibEntry.extended(group));
            } else {
                group = FibEntry.group(entry);
            }
            table = tbl8;
            slot = (group << 8) + indexAt(high, low, level + 1);
        }
        int count = 1 << (levelEnd(target) - length);
        for (int i = slot; i < slot + count; i++) {
            overwriteShorter(table, i, length, leaf);
        }
        return previous == null;
    }

    private int groupsNeeded(long high, long low, int target) {
        int[] table = tbl24;
        int slot = indexAt(high, low, 0);
        for (int level = 0; level < target; level++) {
            int entry = table[slot];
            if (entry >= 0) {
                return target - level;
            }
            table = tbl8;
            slot = (FibEntry.group(entry) << 8) + indexAt(high, low, level + 1);
        }
        return 0;
    }

    /** The slot (and everything under it) whose route is no longer than {@code length} takes the new route. */
    private void overwriteShorter(int[] table, int slot, int length, int leaf) {
        int entry = table[slot];
        if (entry < 0) {
            int base = FibEntry.group(entry) << 8;
            for (int i = base; i < base + Tbl8Groups.GROUP_SIZE; i++) {
                overwriteShorter(tbl8, i, length, leaf);
            }
        } else if (FibEntry.depth(entry) <= length) {
            INT_ARRAY.setRelease(table, slot, leaf);
        }
    }

    /**
     * Deletes a route; the addresses it covered fall back to the next shorter covering route.
     *
     * @return false if there was no such route (nothing changed)
     */
    public boolean delete(long high, long low, int length) {
        checkPrefix(high, low, length);
        if (rules.remove(new Route(high, low, length)) == null) {
            return false;
        }
        int replacement = coveringLeaf(high, low, length);
        int target = levelOf(length);
        int[] table = tbl24;
        int slot = indexAt(high, low, 0);
        for (int level = 0; level < target; level++) {
            pathSlot[level] = slot;
            int group = FibEntry.group(table[slot]);
            pathGroup[level + 1] = group;
            table = tbl8;
            slot = (group << 8) + indexAt(high, low, level + 1);
        }
        int count = 1 << (levelEnd(target) - length);
        for (int i = slot; i < slot + count; i++) {
            replaceOwned(table, i, length, replacement);
        }
        // Groups on the path that hold no route ending inside them fold back into their parent slot.
        for (int level = target; level >= 1; level--) {
            int group = pathGroup[level];
            if (!holdsOnlyShorterThan(group, levelEnd(level - 1))) {
                break;
            }
            int[] parent = level == 1 ? tbl24 : tbl8;
            INT_ARRAY.setRelease(parent, pathSlot[level - 1], tbl8[group << 8]);
            groups.retire(group);
        }
        return true;
    }

    private void replaceOwned(int[] table, int slot, int length, int replacement) {
        int entry = table[slot];
        if (entry < 0) {
            int base = FibEntry.group(entry) << 8;
            for (int i = base; i < base + Tbl8Groups.GROUP_SIZE; i++) {
                replaceOwned(tbl8, i, length, replacement);
            }
        } else if (FibEntry.depth(entry) == length) {
            INT_ARRAY.setRelease(table, slot, replacement);
        }
    }

    /**
     * True when every entry of the group is a leaf of a route no longer than {@code bits}: such
     * entries all carry the one route covering the parent slot, so the group is redundant.
     */
    private boolean holdsOnlyShorterThan(int group, int bits) {
        int base = group << 8;
        for (int i = base; i < base + Tbl8Groups.GROUP_SIZE; i++) {
            int entry = tbl8[i];
            if (entry < 0 || FibEntry.depth(entry) > bits) {
                return false;
            }
        }
        return true;
    }

    private int coveringLeaf(long high, long low, int length) {
        for (int shorter = length - 1; shorter >= 0; shorter--) {
            Integer adjacency = rules.get(new Route(high & Ip6Prefixes.maskHigh(shorter),
                low & Ip6Prefixes.maskLow(shorter), shorter));
            if (adjacency != null) {
                return FibEntry.leaf(adjacency, shorter);
            }
        }
        return FibEntry.EMPTY;
    }

    private static void checkPrefix(long high, long low, int length) {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("IPv6 prefix length " + length + " outside 0..128");
        }
        long hostHigh = high & ~Ip6Prefixes.maskHigh(length);
        long hostLow = low & ~Ip6Prefixes.maskLow(length);
        if ((hostHigh | hostLow) != 0) {
            throw new IllegalArgumentException("IPv6 prefix " + Ip6Prefixes.format(high, low, length)
                + " has host bits set (network is " + Ip6Prefixes.format(high ^ hostHigh, low ^ hostLow, length) + ")");
        }
    }

    /** The adjacency of exactly this route, or {@link #MISS}. */
    public int adjacency(long high, long low, int length) {
        checkPrefix(high, low, length);
        Integer adjacency = rules.get(new Route(high, low, length));
        return adjacency == null ? MISS : adjacency;
    }

    /** Calls {@code consumer} for every route (in no particular order). Control thread only. */
    public void forEachRoute(Ip6RouteConsumer consumer) {
        for (Map.Entry<Route, Integer> rule : rules.entrySet()) {
            Route route = rule.getKey();
            consumer.accept(route.high(), route.low(), route.length(), rule.getValue());
        }
    }

    public int routeCount() {
        return rules.size();
    }

    /** Bytes of the lookup tables plus an estimate of the rules table (about 64 bytes a route). */
    public long memoryBytes() {
        return (long) tbl24.length * Integer.BYTES + groups.memoryBytes() + 64L * rules.size();
    }

    // ---------------------------------------------------------------- tbl8 reuse (QSBR hook)

    /** See {@link Ip4Fib#epoch()}. */
    public long epoch() {
        return groups.epoch();
    }

    /** See {@link Ip4Fib#reclaim(long)}. */
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
