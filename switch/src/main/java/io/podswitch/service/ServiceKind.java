package io.podswitch.service;

/**
 * How a service entry is reached, which decides the traffic policy a packet meets (see
 * {@link ServiceEntry#internalTable()} and {@link ServiceEntry#externalTable()}).
 */
public enum ServiceKind {
    /**
     * Destination is a ClusterIP (from pods, the host, or anywhere routed to the node):
     * {@code internalTrafficPolicy} applies.
     */
    CLUSTER_IP,
    /**
     * Destination is one of the node's uplink addresses on the node port; keyed in the table with the
     * family's unspecified address ({@code 0.0.0.0} / {@code ::}), since every uplink address answers.
     * Only traffic from outside (an uplink) reaches it: {@code externalTrafficPolicy} applies.
     */
    NODE_PORT,
    /**
     * Destination is one of the service's {@code externalIPs} or load-balancer ingress IPs, keyed by that
     * address. From outside (an uplink) {@code externalTrafficPolicy} applies; from pods and the host every
     * endpoint may serve, whatever the policy (kube-proxy "short-circuits" them: as if they went out to the
     * load balancer and came back in).
     */
    EXTERNAL_IP
}
