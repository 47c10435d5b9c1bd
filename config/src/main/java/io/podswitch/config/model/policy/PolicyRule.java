package io.podswitch.config.model.policy;

import java.util.List;

/**
 * One ingress or egress rule of a NetworkPolicy: traffic from (ingress) / to (egress) any of {@code peers}
 * on any of {@code ports} is allowed. Kubernetes' empty-means-all semantics are kept: no peers = every
 * address (pods or not), no ports = every port of every protocol (ICMP included).
 */
public record PolicyRule(List<PolicyPeer> peers, List<PolicyPort> ports) {

    /** {@code {}}: everything. */
    public static final PolicyRule ALLOW_ALL = new PolicyRule(List.of(), List.of());

    public PolicyRule {
        peers = List.copyOf(peers);
        ports = List.copyOf(ports);
    }

    public boolean allPeers() {
        return peers.isEmpty();
    }

    public boolean allPorts() {
        return ports.isEmpty();
    }
}
