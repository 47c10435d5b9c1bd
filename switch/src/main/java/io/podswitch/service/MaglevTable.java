package io.podswitch.service;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, section 3.4). Each slot holds the index of a backend in the list the table was
 * built from; a flow hash picks the slot. Built on the control thread, never modified afterwards, so a
 * worker holding a reference always sees a whole table.
 *
 * <p><b>Construction.</b> The table size M is prime. Every backend walks its own permutation of the slots
 * and backends take turns claiming the next free slot of theirs until all M slots are filled; a backend of
 * weight w takes w turns per round, so it ends up with w / (sum of weights) of the slots to within w slots.
 * The paper's permutation is {@code offset + j * skip (mod M)}; two backends that draw the same skip (a
 * chance of about N²/2M) then walk shifted copies of one sequence and fight over the same slots, and
 * removing a third backend can hand a large part of their slots from one to the other: measured at
 * M = 4,093, N = 20, 13 of 2,000 random backend sets moved more than 1.5/N of the slots on removing one
 * backend, the worst 2.27/N. Here the stride runs through a fixed pseudo-random bijection F of 0..M-1
 * (the same for every backend, derived from constants): backend i visits
 * {@code offset_i + F[(start_i + j * skip_i) mod M] (mod M)}, still a permutation, and two backends are
 * correlated only if they draw the same skip <em>and</em> the same offset (about N²/2M²). Same backend sets:
 * none above 1.5/N, the worst 1.46/N, the mean unchanged (1.33/N). (Filling costs no multiplication or
 * division either: two additions and one table read per step.)
 *
 * <p><b>Canonical order.</b> Backends take turns in canonical order (address, then port), whatever the
 * order of the list, so every node builds the same table from the same backends.
 *
 * <p><b>Eligibility</b> (kube-proxy's {@code CategorizeEndpoints}): ready backends populate the table;
 * when there is none, backends that are serving and terminating do. Weight 0 excludes a backend. With no
 * eligible backend the table is empty and {@link #lookup(long)} returns {@link #NO_BACKEND}.
 *
 * <p><b>Size</b> ({@link #sizeFor}): from the number of backends a table may ever choose from, as Cilium
 * lets M be set — 4,093 slots up to 255 backends, then at least 16 per backend — instead of the paper's
 * 65,537 for every table. Slots are bytes when the list has at most 256 backends (4 KiB instead of 256 KiB),
 * chars otherwise.
 */
public final class MaglevTable {
    /** The paper's size; what every table had before sizing by backends (tests and baselines use it). */
    public static final int DEFAULT_SIZE = 65537;
    public static final int NO_BACKEND = -1;
    /**
     * The smallest table: up to 255 backends get at least {@link #MIN_SLOTS_PER_BACKEND} slots each, and
     * removing one of N ≤ 20 backends moves at most 1.5/N of the flows (measured worst 1.46/N over 2,000
     * random sets at N = 20; the property tests pin it). One size for every small service also means a
     * service scaling between 1 and 255 endpoints never changes size, which would reshuffle new flows.
     */
    public static final int MIN_SIZE = 4093;
    /** Every backend gets at least this many slots: its share is exact to 1/16 (one slot more or less). */
    public static final int MIN_SLOTS_PER_BACKEND = 16;
    /** Table sizes: the largest prime below each power of two from 2^12 to 2^24 (Cilium's list, extended). */
    private static final int[] SIZES = sizeLadder();
    private static final byte[] EMPTY = new byte[0];
    private static final long BIJECTION_SEED = 0x5851_F42D_4C95_7F2DL;
    private static final ConcurrentHashMap<Integer, int[]> BIJECTIONS = new ConcurrentHashMap<>();

    private final int size;
    /** Slots as unsigned bytes (lists of at most 256 backends), or null. */
    private final byte[] small;
    /** Slots as chars (larger lists), or null. */
    private final char[] large;
    /** Which list indices populate the table (one bit each). */
    private final long[] members;

    private MaglevTable(int size, byte[] small, char[] large, long[] members) {
        this.size = size;
        this.small = small;
        this.large = large;
        this.members = members;
    }

    /**
     * The table size for a list of {@code backends}: the smallest size of the ladder (4093, 8191, 16381, ...)
     * that gives each at least {@link #MIN_SLOTS_PER_BACKEND} slots. Count every backend the table may ever
     * choose from (not only the ready ones), so that readiness changes keep the size; crossing 255, 511,
     * 1023, ... backends changes it, which reshuffles the choice for new flows once (pinned flows keep theirs).
     */
    public static int sizeFor(int backends) {
        long want = Math.max(MIN_SIZE, (long) MIN_SLOTS_PER_BACKEND * backends);
        for (int size : SIZES) {
            if (size >= want) {
                return size;
            }
        }
        throw new IllegalArgumentException("no Maglev table size for " + backends + " backends");
    }

    /**
     * Builds the table for {@code backends}; slot values are indices into that list.
     *
     * @throws IllegalArgumentException if size is not a prime ≥ 3, there are more eligible backends than
     *                                  slots, or more than 65,535 backends
     */
    public static MaglevTable build(List<MaglevBackend> backends, int size) {
        int n = backends.size();
        long[] high = new long[n];
        long[] low = new long[n];
        int[] port = new int[n];
        int[] weight = new int[n];
        byte[] role = new byte[n];
        for (int i = 0; i < n; i++) {
            MaglevBackend b = backends.get(i);
            high[i] = b.addressHigh();
            low[i] = b.addressLow();
            port[i] = b.port();
            weight[i] = b.weight();
            role[i] = b.primary() ? PRIMARY : b.fallback() ? FALLBACK : 0;
        }
        return build(high, low, port, weight, role, size);
    }

    /** A backend's role in a table: takes new connections, or only while no backend is {@link #PRIMARY}. */
    static final byte PRIMARY = 1;
    static final byte FALLBACK = 2;

    /**
     * Builds the table over parallel arrays (the caller's endpoint list; what {@link ServiceBackends} holds):
     * {@code role[i]} is {@link #PRIMARY}, {@link #FALLBACK} or 0 (never), weights 1..256 for the first two.
     */
    static MaglevTable build(long[] high, long[] low, int[] port, int[] weight, byte[] role, int size) {
        if (size < 3 || !isPrime(size)) {
            throw new IllegalArgumentException("Maglev table size must be a prime >= 3: " + size);
        }
        int n = high.length;
        if (n > 0xffff) {
            throw new IllegalArgumentException("too many backends for one table (max 65535): " + n);
        }
        int[] eligible = eligible(high, low, port, role);
        long[] members = new long[(n + 63) >>> 6];
        for (int index : eligible) {
            members[index >>> 6] |= 1L << index;
        }
        if (eligible.length == 0) {
            return new MaglevTable(size, EMPTY, null, members);
        }
        if (eligible.length > size) {
            throw new IllegalArgumentException(eligible.length + " eligible backends do not fit a table of " + size);
        }
        int[] slots = populate(high, low, weight, eligible, size);
        if (n <= 256) {
            byte[] bytes = new byte[size];
            for (int s = 0; s < size; s++) {
                bytes[s] = (byte) slots[s];
            }
            return new MaglevTable(size, bytes, null, members);
        }
        char[] chars = new char[size];
        for (int s = 0; s < size; s++) {
            chars[s] = (char) slots[s];
        }
        return new MaglevTable(size, null, chars, members);
    }

    /** The population loop: backends in canonical order take turns claiming their next free slot. */
    private static int[] populate(long[] high, long[] low, int[] weights, int[] eligible, int size) {
        int n = eligible.length;
        int[] offset = new int[n];
        int[] skip = new int[n];
        int[] position = new int[n];
        int[] weight = new int[n];
        for (int k = 0; k < n; k++) {
            int i = eligible[k];
            offset[k] = (int) Long.remainderUnsigned(MaglevBackend.offsetHash(high[i], low[i]), size);
            skip[k] = (int) Long.remainderUnsigned(MaglevBackend.skipHash(high[i], low[i]), size - 1) + 1;
            position[k] = (int) Long.remainderUnsigned(MaglevBackend.startHash(high[i], low[i]), size);
            weight[k] = weights[i];
        }
        int[] f = bijection(size);
        int[] slots = new int[size];
        Arrays.fill(slots, NO_BACKEND);
        int filled = 0;
        while (true) {
            for (int k = 0; k < n; k++) {
                for (int turn = 0; turn < weight[k]; turn++) {
                    int slot;
                    do {
                        int x = position[k];
                        int next = x + skip[k];
                        position[k] = next >= size ? next - size : next;
                        slot = offset[k] + f[x];
                        if (slot >= size) {
                            slot -= size;
                        }
                    } while (slots[slot] != NO_BACKEND);
                    slots[slot] = eligible[k];
                    if (++filled == size) {
                        return slots;
                    }
                }
            }
        }
    }

    /**
     * A fixed pseudo-random permutation of 0..size-1 (Fisher-Yates driven by {@link FlowHash#mix} of
     * constants: the same in every process), built once per size.
     */
    static int[] bijection(int size) {
        return BIJECTIONS.computeIfAbsent(size, n -> {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) {
                p[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = (int) Math.unsignedMultiplyHigh(FlowHash.mix(BIJECTION_SEED + i), i + 1L);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            return p;
        });
    }

    /**
     * The backends that populate the table — the primary ones, or without any the fallback ones — in
     * canonical order, by address and port, unsigned: the order in which they take turns, and hence the
     * table, does not depend on the caller's list order, so nodes that receive the same backends in
     * different orders still agree on every slot.
     */
    private static int[] eligible(long[] high, long[] low, int[] port, byte[] role) {
        int[] chosen = indicesOf(role, PRIMARY);
        if (chosen.length == 0) {
            chosen = indicesOf(role, FALLBACK);
        }
        // Insertion-merge sort on indices (no boxing): lists are at most a few hundred long.
        int[] buffer = new int[chosen.length];
        sort(chosen, buffer, 0, chosen.length, high, low, port);
        return chosen;
    }

    private static void sort(int[] a, int[] buffer, int from, int to, long[] high, long[] low, int[] port) {
        if (to - from <= 16) {
            for (int i = from + 1; i < to; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= from && compare(a[j], v, high, low, port) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        sort(a, buffer, from, mid, high, low, port);
        sort(a, buffer, mid, to, high, low, port);
        System.arraycopy(a, from, buffer, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || (i < mid && compare(buffer[i], buffer[j], high, low, port) <= 0)) {
                a[k] = buffer[i++];
            } else {
                a[k] = buffer[j++];
            }
        }
    }

    private static int compare(int a, int b, long[] high, long[] low, int[] port) {
        int c = Long.compareUnsigned(high[a], high[b]);
        if (c == 0) {
            c = Long.compareUnsigned(low[a], low[b]);
        }
        if (c == 0) {
            c = Integer.compare(port[a], port[b]);
        }
        return c != 0 ? c : Integer.compare(a, b);
    }

    private static int[] indicesOf(byte[] role, byte wanted) {
        int count = 0;
        for (byte r : role) {
            if (r == wanted) {
                count++;
            }
        }
        int[] indices = new int[count];
        int k = 0;
        for (int i = 0; i < role.length; i++) {
            if (role[i] == wanted) {
                indices[k++] = i;
            }
        }
        return indices;
    }

    static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (int d = 2; (long) d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    private static int[] sizeLadder() {
        int[] sizes = new int[13];
        for (int bits = 12; bits <= 24; bits++) {
            int p = (1 << bits) - 1;
            while (!isPrime(p)) {
                p--;
            }
            sizes[bits - 12] = p;
        }
        return sizes;
    }

    /** The backend index for a flow, or {@link #NO_BACKEND}. Allocation-free, one array read. */
    public int lookup(long flowHash) {
        // Multiply-high maps the 64-bit hash uniformly onto 0..size-1 without a division.
        byte[] b = small;
        if (b != null) {
            return b.length == 0 ? NO_BACKEND : b[(int) Math.unsignedMultiplyHigh(flowHash, b.length)] & 0xff;
        }
        char[] c = large;
        return c[(int) Math.unsignedMultiplyHigh(flowHash, c.length)];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return small != null && small.length == 0;
    }

    /** Whether the backend at {@code index} of the list populates the table. Allocation-free. */
    public boolean contains(int index) {
        int word = index >>> 6;
        return index >= 0 && word < members.length && (members[word] & 1L << index) != 0;
    }

    /** The backend index in slot {@code slot}, or {@link #NO_BACKEND} if the table is empty. */
    public int slot(int slot) {
        if (small != null) {
            return small.length == 0 ? NO_BACKEND : small[slot] & 0xff;
        }
        return large[slot];
    }

    /** Bytes of slot storage (what the sizing rule trades against balance and disruption). */
    public long slotBytes() {
        return small != null ? small.length : 2L * large.length;
    }
}
