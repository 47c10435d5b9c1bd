package io.podswitch.cluster;

import java.util.List;

/**
 * A pod of the test cluster: its network namespace, the node whose podswitchd wired it, and the
 * addresses the CNI result gave it (primary family first).
 */
record ClusterPod(String name, String netns, int node, List<String> addresses, String cniResult) {

    ClusterPod {
        addresses = List.copyOf(addresses);
    }

    /** The pod's address of a family ("IPv4"/"IPv6"). */
    String address(String family) {
        for (String a : addresses) {
            if (a.contains(":") == family.equals("IPv6")) {
                return a;
            }
        }
        throw new IllegalArgumentException(name + " has no " + family + " address: " + addresses);
    }

    String containerId() {
        return "ctr-" + netns;
    }
}
