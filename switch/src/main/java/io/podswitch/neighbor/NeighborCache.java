package io.podswitch.neighbor;

/**
 * Address → MAC for one address family, keyed by (port, address): a fixed-capacity open-addressing
 * hash table with linear probing over parallel arrays. Lookup, learn, refresh and remove never
 * allocate; deletion shifts the following cluster back (no tombstones), so probe chains stay short
 * at any churn.
 *
 * <p>An IPv4 address is stored as (high 0, low = address as unsigned). IPv6 link-local addresses
 * are only unique per link, which is why the port is part of the key.
 *
 * <p>Single-threaded: the owning worker reads and writes it (see {@link NeighborTable} for why).
 */
public final class NeighborCache {
    public static final byte FREE = 0;
    /** Learned from the wire; expires when not refreshed. */
    public static final byte DYNAMIC = 1;
    /** Installed by the control plane; never expires, never overwritten by learning. */
    public static final byte STATIC = 2;

    private final int limit;
    private final int mask;
    private final byte[] state;
    private final int[] port;
    private final long[] high;
    private final long[] low;
    private final long[] mac;
    private final long[] updatedNanos;
    /** When the owner last sent a refresh probe for the entry (rate-limits probes). */
    private final long[] probedNanos;
    private int size;

    /** @param capacity how many entries the cache holds (the table is twice as large, power of two). */
    public NeighborCache(int capacity) {
        if (capacity < 1 || capacity > (1 << 24)) {
            throw new IllegalArgumentException("neighbour capacity out of range [1, 16777216]: " + capacity);
        }
        int slots = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.limit = capacity;
        this.mask = slots - 1;
        this.state = new byte[slots];
        this.port = new int[slots];
        this.high = new long[slots];
        this.low = new long[slots];
        this.mac = new long[slots];
        this.updatedNanos = new long[slots];
        this.probedNanos = new long[slots];
    }

    private int home(int p, long h, long l) {
        long x = l * 0x9E37_79B9_7F4A_7C15L ^ h * 0xC2B2_AE3D_27D4_EB4FL ^ (long) p * 0x1656_67B1_9E37_79F9L;
        x ^= x >>> 29;
        return (int) x & mask;
    }

    /** @return the slot of the entry, or -1 */
    public int find(int p, long h, long l) {
        int i = home(p, h, l);
        while (state[i] != FREE) {
            if (low[i] == l && high[i] == h && port[i] == p) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    public long mac(int slot) {
        return mac[slot];
    }

    public byte state(int slot) {
        return state[slot];
    }

    public long updatedNanos(int slot) {
        return updatedNanos[slot];
    }

    public long probedNanos(int slot) {
        return probedNanos[slot];
    }

    /** Records that a refresh probe for the entry was sent. */
    public void probed(int slot, long nowNanos) {
        probedNanos[slot] = nowNanos;
    }

    public int port(int slot) {
        return port[slot];
    }

    public long high(int slot) {
        return high[slot];
    }

    public long low(int slot) {
        return low[slot];
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return limit;
    }

    /** Slots to iterate with {@link #state(int)} (for dumps and tests). */
    public int slotCount() {
        return state.length;
    }

    /**
     * Learns or refreshes a dynamic entry. A static entry is left as it is.
     * @return true if the entry is now present, false if the cache is full
     */
    public boolean learn(int p, long h, long l, long newMac, long nowNanos) {
        int i = home(p, h, l);
        while (state[i] != FREE) {
            if (low[i] == l && high[i] == h && port[i] == p) {
                if (state[i] == DYNAMIC) {
                    mac[i] = newMac;
                    updatedNanos[i] = nowNanos;
                }
                return true;
            }
            i = (i + 1) & mask;
        }
        if (size == limit) {
            return false;
        }
        insert(i, DYNAMIC, p, h, l, newMac, nowNanos);
        return true;
    }

    /** Refreshes an existing dynamic entry only (gratuitous ARP, unsolicited NA). @return found */
    public boolean refresh(int p, long h, long l, long newMac, long nowNanos) {
        int i = find(p, h, l);
        if (i < 0) {
            return false;
        }
        if (state[i] == DYNAMIC) {
            mac[i] = newMac;
            updatedNanos[i] = nowNanos;
        }
        return true;
    }

    /** Installs or replaces a permanent entry. @return false if the cache is full */
    public boolean putStatic(int p, long h, long l, long newMac) {
        int i = home(p, h, l);
        while (state[i] != FREE) {
            if (low[i] == l && high[i] == h && port[i] == p) {
                state[i] = STATIC;
                mac[i] = newMac;
                return true;
            }
            i = (i + 1) & mask;
        }
        if (size == limit) {
            return false;
        }
        insert(i, STATIC, p, h, l, newMac, 0);
        return true;
    }

    private void insert(int i, byte s, int p, long h, long l, long m, long now) {
        state[i] = s;
        port[i] = p;
        high[i] = h;
        low[i] = l;
        mac[i] = m;
        updatedNanos[i] = now;
        probedNanos[i] = Long.MIN_VALUE;
        size++;
    }

    /** @return whether an entry was removed */
    public boolean remove(int p, long h, long l) {
        int i = find(p, h, l);
        if (i < 0) {
            return false;
        }
        removeSlot(i);
        return true;
    }

    /** Backward-shift deletion (Knuth 6.4 algorithm R): pull later entries of the cluster into the hole. */
    private void removeSlot(int hole) {
        int i = hole;
        int j = i;
        for (;;) {
            j = (j + 1) & mask;
            if (state[j] == FREE) {
                break;
            }
            int k = home(port[j], high[j], low[j]);
            // Move j into the hole unless its home lies cyclically in (i, j].
            boolean stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
            if (!stays) {
                state[i] = state[j];
                port[i] = port[j];
                high[i] = high[j];
                low[i] = low[j];
                mac[i] = mac[j];
                updatedNanos[i] = updatedNanos[j];
                probedNanos[i] = probedNanos[j];
                i = j;
            }
        }
        state[i] = FREE;
        size--;
    }

    /**
     * Removes dynamic entries not refreshed for {@code maxAgeNanos}.
     * @return how many were removed
     */
    public int expire(long nowNanos, long maxAgeNanos) {
        int removed = 0;
        int i = 0;
        while (i < state.length) {
            if (state[i] == DYNAMIC && nowNanos - updatedNanos[i] > maxAgeNanos) {
                removeSlot(i);
                removed++;
                // The shift may have pulled another entry into slot i: look at it again.
            } else {
                i++;
            }
        }
        return removed;
    }
}
