package io.podswitch.service;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * An immutable Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, section 3.4). Each slot holds the index of a backend in the list the table was
 * built from; a flow hash picks the slot. Built on the control thread, never modified afterwards, so a
 * worker holding a reference always sees a whole table.
 *
 * <p>Construction: the table size M is prime. Backend i gets {@code offset = h1(key) mod M} and
 * {@code skip = h2(key) mod (M - 1) + 1} from two independent hashes of its address and port, so its
 * preference list {@code permutation[i][j] = (offset + j * skip) mod M} visits every slot exactly once
 * (skip and M are coprime because M is prime). Backends then take turns claiming the next free slot in
 * their preference list until all M slots are filled. A backend of weight w takes w turns per round, so
 * it ends up with about w / (sum of weights) of the slots.
 *
 * <p>Backends take turns in canonical order (address, then port), whatever the order of the list, so
 * every node builds the same table from the same backends.
 *
 * <p>Eligibility (Kubernetes' ProposeTerminatingEndpoints semantics): only backends that are ready and not
 * terminating populate the table; when there is none, ready terminating backends do, so connections to a
 * service that is rolling over are not refused while old pods still serve. Weight 0 excludes a backend.
 * With no eligible backend the table is empty and {@link #lookup(long)} returns {@link #NO_BACKEND}.
 */
public final class MaglevTable {
    public static final int DEFAULT_SIZE = 65537;
    public static final int NO_BACKEND = -1;
    private static final int[] NONE = new int[0];

    private final int size;
    private final int[] slots;

    private MaglevTable(int size, int[] slots) {
        this.size = size;
        this.slots = slots;
    }

    /**
     * Builds the table for {@code backends}; slot values are indices into that list.
     *
     * @throws IllegalArgumentException if size is not a prime ≥ 3, or there are more eligible backends
     *                                  than slots
     */
    public static MaglevTable build(List<MaglevBackend> backends, int size) {
        if (size < 3 || !isPrime(size)) {
            throw new IllegalArgumentException("Maglev table size must be a prime >= 3: " + size);
        }
        int[] eligible = eligible(backends);
        if (eligible.length == 0) {
            return new MaglevTable(size, NONE);
        }
        if (eligible.length > size) {
            throw new IllegalArgumentException(eligible.length + " eligible backends do not fit a table of " + size);
        }
        int n = eligible.length;
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        int[] weight = new int[n];
        for (int k = 0; k < n; k++) {
            MaglevBackend backend = backends.get(eligible[k]);
            offset[k] = Long.remainderUnsigned(backend.offsetHash(), size);
            skip[k] = Long.remainderUnsigned(backend.skipHash(), size - 1) + 1;
            weight[k] = backend.weight();
        }
        int[] slots = new int[size];
        Arrays.fill(slots, NO_BACKEND);
        int filled = 0;
        while (true) {
            for (int k = 0; k < n; k++) {
                for (int turn = 0; turn < weight[k]; turn++) {
                    int slot;
                    do {
                        slot = (int) ((offset[k] + next[k] * skip[k]) % size);
                        next[k]++;
                    } while (slots[slot] != NO_BACKEND);
                    slots[slot] = eligible[k];
                    if (++filled == size) {
                        return new MaglevTable(size, slots);
                    }
                }
            }
        }
    }

    /**
     * The backends that populate the table, in canonical order — by address and port, unsigned — so
     * that the order in which they take turns, and hence the table, does not depend on the caller's list
     * order: nodes that receive the same backends in different orders still agree on every slot.
     */
    private static int[] eligible(List<MaglevBackend> backends) {
        int[] serving = indicesOf(backends, false);
        int[] chosen = serving.length > 0 ? serving : indicesOf(backends, true);
        Comparator<Integer> canonical = (a, b) -> {
            MaglevBackend x = backends.get(a);
            MaglevBackend y = backends.get(b);
            int c = Long.compareUnsigned(x.addressHigh(), y.addressHigh());
            if (c == 0) {
                c = Long.compareUnsigned(x.addressLow(), y.addressLow());
            }
            if (c == 0) {
                c = Integer.compare(x.port(), y.port());
            }
            return c != 0 ? c : Integer.compare(a, b);
        };
        return Arrays.stream(chosen).boxed().sorted(canonical).mapToInt(Integer::intValue).toArray();
    }

    private static int[] indicesOf(List<MaglevBackend> backends, boolean terminating) {
        int[] indices = new int[backends.size()];
        int count = 0;
        for (int i = 0; i < backends.size(); i++) {
            MaglevBackend b = backends.get(i);
            if (b.weight() > 0 && b.ready() && b.terminating() == terminating) {
                indices[count++] = i;
            }
        }
        return Arrays.copyOf(indices, count);
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

    /** The backend index for a flow, or {@link #NO_BACKEND}. Allocation-free, one array read. */
    public int lookup(long flowHash) {
        int[] s = slots;
        if (s.length == 0) {
            return NO_BACKEND;
        }
        // Multiply-high maps the 64-bit hash uniformly onto 0..size-1 without a division.
        return s[(int) Math.unsignedMultiplyHigh(flowHash, size)];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return slots.length == 0;
    }

    /** The backend index in slot {@code slot}, or {@link #NO_BACKEND} if the table is empty. */
    public int slot(int slot) {
        return slots.length == 0 ? NO_BACKEND : slots[slot];
    }
}
