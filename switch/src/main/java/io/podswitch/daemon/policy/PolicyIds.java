package io.podswitch.daemon.policy;

import io.podswitch.config.model.policy.NamespacedName;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Stable small ids for policies (the index of their counters and of drop attribution): a policy keeps its id
 * while it exists; a deleted policy's id is reused only after its counters were zeroed. When more policies
 * exist than ids, the extra ones share the last id (their traffic is still enforced, only their counters are
 * merged) and the overflow is reported once.
 */
final class PolicyIds {
    private final int capacity;
    private final Map<NamespacedName, Integer> ids = new HashMap<>();
    private final Deque<Integer> free = new ArrayDeque<>();
    private int next;
    private boolean overflowReported;

    PolicyIds(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Gives every policy of {@code present} an id and takes back the ids of the others.
     *
     * @param reset called with each id taken back (zero its counters before it is reused)
     * @return true when some policies had to share the overflow id
     */
    boolean retain(Collection<NamespacedName> present, IntConsumer reset) {
        Set<NamespacedName> keep = new HashSet<>(present);
        for (var it = ids.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!keep.contains(e.getKey())) {
                it.remove();
                if (e.getValue() != capacity - 1) { // the shared overflow id is never handed out again
                    reset.accept(e.getValue());
                    free.push(e.getValue());
                }
            }
        }
        boolean overflow = false;
        for (NamespacedName p : present) {
            if (!ids.containsKey(p)) {
                if (!free.isEmpty()) {
                    ids.put(p, free.pop());
                } else if (next < capacity - 1) {
                    ids.put(p, next++);
                } else {
                    ids.put(p, capacity - 1);
                    overflow = true;
                }
            }
        }
        boolean first = overflow && !overflowReported;
        overflowReported |= overflow;
        return first;
    }

    Map<NamespacedName, Integer> asMap() {
        return ids;
    }
}
