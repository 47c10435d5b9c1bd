package io.podswitch.cluster;

import java.util.List;

/** A node of the test cluster: its index (1-based), name, network namespace, uplink addresses and daemon. */
record ClusterNode(int index, String name, String netns, List<String> addresses, NodeDaemon daemon) {

    ClusterNode {
        addresses = List.copyOf(addresses);
    }

    /** The node's uplink address of a family ("IPv4"/"IPv6"). */
    String address(String family) {
        return family.equals("IPv4") ? ClusterLayout.node4(index) : ClusterLayout.node6(index);
    }
}
