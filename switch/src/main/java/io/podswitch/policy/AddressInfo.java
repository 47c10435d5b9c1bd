package io.podswitch.policy;

/**
 * What the policy tables know about one address, packed into a {@code long} (the values of
 * {@link AddressClassifier}):
 *
 * <pre>
 *  63        62..49     48      47 ............ 32   31 ............................ 0
 * +---------+--------+-------+--------------------+----------------------------------+
 * | PRESENT | unused | NODE  | local slot + 1     | peer class                       |
 * +---------+--------+-------+--------------------+----------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>peer class: which peers of which rules the address matches (pod selectors through the pod that holds
 *       it, ipBlocks through the address itself, and the named ports that pod declares); all addresses of a
 *       class are alike to every rule, so rules are compiled per class, not per address;</li>
 *   <li>local slot: the address is a pod on this node, whose ingress/egress tables are {@code slot}'s;</li>
 *   <li>NODE: one of this node's own addresses (or the switch's hairpin SNAT source): traffic between a pod
 *       and its node is always allowed (Kubernetes requires it for probes).</li>
 * </ul>
 */
public final class AddressInfo {
    public static final long PRESENT = 1L << 63;
    public static final long NODE = 1L << 48;
    public static final int MAX_SLOTS = 0xffff - 1;
    public static final int NO_SLOT = -1;

    private AddressInfo() {
    }

    public static long of(int peerClass, int localSlot, boolean node) {
        if (peerClass < 0) {
            throw new IllegalArgumentException("peer class " + peerClass);
        }
        if (localSlot < NO_SLOT || localSlot > MAX_SLOTS) {
            throw new IllegalArgumentException("local slot " + localSlot);
        }
        return PRESENT | (node ? NODE : 0) | (long) (localSlot + 1) << 32 | peerClass;
    }

    public static int peerClass(long info) {
        return (int) info;
    }

    /** The local pod's slot, or {@link #NO_SLOT}. */
    public static int slot(long info) {
        return (int) (info >>> 32 & 0xffff) - 1;
    }

    public static boolean isNode(long info) {
        return (info & NODE) != 0;
    }

    static boolean isPresent(long info) {
        return (info & PRESENT) != 0;
    }
}
