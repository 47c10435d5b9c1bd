package io.podswitch.daemon.peers;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tunnel peer ids by node name. Workers count per peer id, so an id stays with its node for as long as
 * possible: a node that leaves and comes back gets its old id (its counters continue), and a new node takes
 * an id never used before. Only when every id has been used — a long-lived daemon in a cluster whose
 * autoscaler keeps making nodes with new names — does a new node take the id of the node that left longest
 * ago; that node is forgotten and the caller zeroes the id's counters ({@link Assignment#reused}). At most
 * {@code capacity} nodes at the same time. Control thread only.
 */
final class PeerIds {
    /** An id for a node; {@code reused}: it belonged to another node, whose counters must be zeroed first. */
    record Assignment(int id, boolean reused) {
    }

    private final Map<String, Integer> ids = new HashMap<>();
    /** Ids of nodes that left, oldest first, with their node. */
    private final LinkedHashMap<Integer, String> released = new LinkedHashMap<>();
    private final int capacity;
    private int nextFresh;

    PeerIds(int capacity) {
        this.capacity = capacity;
    }

    Assignment idFor(String nodeName) {
        Integer id = ids.get(nodeName);
        if (id != null) {
            released.remove(id);
            return new Assignment(id, false);
        }
        if (nextFresh < capacity) {
            int fresh = nextFresh++;
            ids.put(nodeName, fresh);
            return new Assignment(fresh, false);
        }
        Iterator<Map.Entry<Integer, String>> oldest = released.entrySet().iterator();
        if (!oldest.hasNext()) {
            throw new IllegalStateException("node " + nodeName + ": all " + capacity + " peer ids are held by nodes "
                    + "of this cluster; podswitchd serves at most " + capacity + " nodes");
        }
        Map.Entry<Integer, String> e = oldest.next();
        oldest.remove();
        ids.remove(e.getValue());
        ids.put(nodeName, e.getKey());
        return new Assignment(e.getKey(), true);
    }

    /** The node left: its id may go to a new node once no never-used id is left. */
    void release(String nodeName) {
        Integer id = ids.get(nodeName);
        if (id != null) {
            released.put(id, nodeName);
        }
    }
}
