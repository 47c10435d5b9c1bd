package io.podswitch.daemon.peers;

import java.util.HashMap;
import java.util.Map;

/**
 * Tunnel peer ids by node name. Workers count per peer id for as long as the daemon runs, so an id is
 * never given to another node: a node keeps its id across removal and re-addition (its counters
 * continue), and a new node takes the next id never used. At most {@code capacity} distinct nodes over
 * the daemon's lifetime; beyond that a node is refused (restart the daemon to start over).
 */
final class PeerIds {
    private final Map<String, Integer> ids = new HashMap<>();
    private final int capacity;

    PeerIds(int capacity) {
        this.capacity = capacity;
    }

    int idFor(String nodeName) {
        Integer id = ids.get(nodeName);
        if (id != null) {
            return id;
        }
        if (ids.size() >= capacity) {
            throw new IllegalStateException("node " + nodeName + ": all " + capacity
                    + " peer ids were used by other nodes during this daemon's lifetime; restart podswitchd");
        }
        int fresh = ids.size();
        ids.put(nodeName, fresh);
        return fresh;
    }
}
