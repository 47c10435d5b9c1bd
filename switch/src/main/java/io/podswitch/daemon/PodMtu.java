package io.podswitch.daemon;

import io.podswitch.config.model.ClusterConfig;

/**
 * The pod interface MTU on a node with peers: the configured podMTU, but never more than what the
 * actual uplink carries after the encapsulation overhead (the config's uplink.mtu may be stale or
 * guessed). Oversize packets still get ICMP fragmentation-needed / packet-too-big from the graph.
 */
final class PodMtu {
    private PodMtu() {
    }

    static int limitToUplink(int podMtu, int uplinkMtu, ClusterConfig config) {
        int overhead = config.overlay().overheadBytes();
        int limit = uplinkMtu - overhead;
        if (podMtu > limit) {
            DaemonLog.info("pod MTU " + podMtu + " lowered to " + limit + " (uplink "
                    + config.thisNode().uplink().interfaceName() + " MTU " + uplinkMtu + " − " + overhead
                    + " bytes of " + config.overlay().mode().configName() + ")");
            return limit;
        }
        return podMtu;
    }
}
