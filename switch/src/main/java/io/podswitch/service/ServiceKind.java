package io.podswitch.service;

/** How a service entry is reached: on a cluster VIP, or on a node port of the node's uplink addresses. */
public enum ServiceKind {
    /** Destination is the VIP itself (from pods, the host, or anywhere routed to the node). */
    CLUSTER_IP,
    /**
     * Destination is one of the node's uplink addresses on the node port; keyed in the table with the
     * family's unspecified address ({@code 0.0.0.0} / {@code ::}), since every uplink address answers.
     */
    NODE_PORT
}
