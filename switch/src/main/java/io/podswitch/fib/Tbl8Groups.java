package io.podswitch.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The pool of 256-entry tbl8 groups behind a FIB, and their safe reuse.
 *
 * <p>A group that a delete made unnecessary is not free at once: a reader may have read the tbl24
 * (or parent) entry that pointed to it just before it was unlinked and still be about to read it.
 * So an unlinked group is <em>retired</em> with the current {@link #epoch()}, and becomes reusable
 * only when the owner calls {@link #reclaim(long)} with an epoch that every reader has since passed
 * a quiescent point for (the caller's QSBR, as DPDK's {@code rte_rcu_qsbr}: remember
 * {@code token = epoch()} after the delete, wait until every worker has reported a quiescent state,
 * then {@code reclaim(token)}). Until then the retired group keeps its old contents, so a late
 * reader still finds the route it was looking up when it started.
 *
 * <p>Single writer: only the control thread calls anything here except {@link #entries()}.
 */
final class Tbl8Groups {
    static final int GROUP_SIZE = 256;
    private static final VarHandle INT_ARRAY = MethodHandles.arrayElementVarHandle(int[].class);

    private final int[] entries;
    private final int capacity;
    /** Never-used groups are handed out in order; this is the first never-used one. */
    private int fresh;
    private final int[] freeStack;
    private int freeCount;
    /** Ring of retired groups in retirement order, each with the epoch it was retired in. */
    private final int[] retiredGroup;
    private final long[] retiredEpoch;
    private int retiredHead;
    private int retiredCount;
    private long epoch;

    Tbl8Groups(int capacity) {
        if (capacity < 0 || capacity > FibEntry.MAX_GROUPS - 1) {
            throw new IllegalArgumentException(
                "tbl8 group capacity " + capacity + " outside 0.." + (FibEntry.MAX_GROUPS - 1));
        }
        this.capacity = capacity;
        this.entries = new int[Math.max(1, capacity) * GROUP_SIZE];
        this.freeStack = new int[capacity];
        this.retiredGroup = new int[capacity];
        this.retiredEpoch = new long[capacity];
    }

    int[] entries() {
        return entries;
    }

    int capacity() {
        return capacity;
    }

    /** Groups that can be allocated now (never used or reclaimed). */
    int available() {
        return capacity - fresh + freeCount;
    }

    int inUse() {
        return fresh - freeCount - retiredCount;
    }

    int retired() {
        return retiredCount;
    }

    long epoch() {
        return epoch;
    }

    /**
     * Takes a group and fills all 256 entries with {@code fill} using plain stores: the group is not
     * reachable yet; the caller publishes it with a release store of the entry pointing to it, which
     * orders these stores before it.
     */
    int allocate(int fill) {
        int group;
        if (freeCount > 0) {
            group = freeStack[--freeCount];
        } else if (fresh < capacity) {
            group = fresh++;
        } else {
            throw new IllegalStateException(exhaustedMessage());
        }
        java.util.Arrays.fill(entries, group * GROUP_SIZE, group * GROUP_SIZE + GROUP_SIZE, fill);
        return group;
    }

    String exhaustedMessage() {
        return "tbl8 groups exhausted: " + capacity + " in total, " + retiredCount
            + " retired and waiting for a grace period (reclaim(epoch) after readers are quiescent)";
    }

    /** Unlinks nothing itself: the caller has already replaced every pointer to {@code group}. */
    void retire(int group) {
        epoch++;
        int slot = (retiredHead + retiredCount) % capacity;
        retiredGroup[slot] = group;
        retiredEpoch[slot] = epoch;
        retiredCount++;
    }

    /**
     * Makes every group retired in an epoch {@code <= safeEpoch} reusable.
     *
     * @param safeEpoch an epoch obtained from {@link #epoch()} before all readers passed a quiescent point
     * @return how many groups became reusable
     */
    int reclaim(long safeEpoch) {
        int reclaimed = 0;
        while (retiredCount > 0 && retiredEpoch[retiredHead] <= safeEpoch) {
            freeStack[freeCount++] = retiredGroup[retiredHead];
            retiredHead = (retiredHead + 1) % capacity;
            retiredCount--;
            reclaimed++;
        }
        return reclaimed;
    }

    void storeRelease(int index, int entry) {
        INT_ARRAY.setRelease(entries, index, entry);
    }

    long memoryBytes() {
        return (long) entries.length * Integer.BYTES
            + (long) capacity * (Integer.BYTES * 2 + Long.BYTES);
    }
}
