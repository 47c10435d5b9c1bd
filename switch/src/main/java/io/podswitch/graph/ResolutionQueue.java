package io.podswitch.graph;

/**
 * Packets waiting for a next hop's MAC: a few slots, one per unresolved (port, next hop), each
 * holding at most {@code depth} frames (Linux's unres_qlen, VPP's glean). Fixed arrays, linear
 * scan (the slot count is small), no allocation.
 */
final class ResolutionQueue {
    private final int depth;
    private final boolean[] used;
    private final int[] port;
    private final long[] high;
    private final long[] low;
    private final int[] count;
    private final int[] frames;
    private final long[] firstNanos;
    private final long[] lastRequestNanos;
    private final int[] requests;
    private int inUse;

    ResolutionQueue(int slots, int depth) {
        this.depth = depth;
        used = new boolean[slots];
        port = new int[slots];
        high = new long[slots];
        low = new long[slots];
        count = new int[slots];
        frames = new int[slots * depth];
        firstNanos = new long[slots];
        lastRequestNanos = new long[slots];
        requests = new int[slots];
    }

    int slots() {
        return used.length;
    }

    int inUse() {
        return inUse;
    }

    /** @return the slot waiting for (port, address), or -1 */
    int find(int p, long h, long l) {
        if (inUse == 0) {
            return -1;
        }
        for (int i = 0; i < used.length; i++) {
            if (used[i] && low[i] == l && high[i] == h && port[i] == p) {
                return i;
            }
        }
        return -1;
    }

    /** Opens a slot for a new next hop. @return the slot, or -1 when all are busy */
    int open(int p, long h, long l, long nowNanos) {
        for (int i = 0; i < used.length; i++) {
            if (!used[i]) {
                used[i] = true;
                port[i] = p;
                high[i] = h;
                low[i] = l;
                count[i] = 0;
                firstNanos[i] = nowNanos;
                lastRequestNanos[i] = 0;
                requests[i] = 0;
                inUse++;
                return i;
            }
        }
        return -1;
    }

    /** @return false if the slot already holds {@code depth} frames */
    boolean add(int slot, int frame) {
        if (count[slot] == depth) {
            return false;
        }
        frames[slot * depth + count[slot]++] = frame;
        return true;
    }

    boolean used(int slot) {
        return used[slot];
    }

    int count(int slot) {
        return count[slot];
    }

    int frame(int slot, int i) {
        return frames[slot * depth + i];
    }

    int port(int slot) {
        return port[slot];
    }

    long high(int slot) {
        return high[slot];
    }

    long low(int slot) {
        return low[slot];
    }

    long firstNanos(int slot) {
        return firstNanos[slot];
    }

    long lastRequestNanos(int slot) {
        return lastRequestNanos[slot];
    }

    int requests(int slot) {
        return requests[slot];
    }

    void requested(int slot, long nowNanos) {
        lastRequestNanos[slot] = nowNanos;
        requests[slot]++;
    }

    /** Frees the slot; the caller has taken or freed its frames. */
    void close(int slot) {
        used[slot] = false;
        count[slot] = 0;
        inUse--;
    }
}
