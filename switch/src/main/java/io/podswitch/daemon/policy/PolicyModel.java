package io.podswitch.daemon.policy;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.ContainerPort;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * NetworkPolicy semantics written down literally, for one question at a time: may a packet of a new
 * connection from {@code src} to {@code dst:port} pass? It walks every policy for every question — slow,
 * obviously right, and therefore the reference the compiled tables are tested against (and what
 * {@code podswitch policy check} answers with). No node exceptions here: "the node may always reach its
 * pods" is the data path's business; this is the pod-level spec.
 *
 * <ul>
 *   <li>Egress: the pod at {@code src} (if any) is isolated for egress when some policy of its namespace
 *       selects it and applies to Egress; then some egress rule of such a policy must allow {@code dst:port}.</li>
 *   <li>Ingress: likewise for the pod at {@code dst}, with ingress rules and {@code src}.</li>
 *   <li>A rule allows a peer address when its peers are empty, or one peer matches: a pod peer matches the
 *       pod at that address (selectors over its namespace and labels), an ipBlock matches the address.</li>
 *   <li>A rule allows a protocol/port when its ports are empty (every protocol, ICMP included), or one port
 *       entry has the protocol and covers the port (number, range, every port, or a name the destination pod
 *       declares with that protocol). Protocols other than TCP/UDP/SCTP pass only port-less rules.</li>
 * </ul>
 */
public final class PolicyModel {
    private final Map<String, NamespaceInfo> namespaces = new HashMap<>();
    private final List<NetworkPolicy> policies;
    private final Map<IpAddress, PodInfo> podsByAddress = new HashMap<>();

    public PolicyModel(List<NamespaceInfo> namespaces, List<PodInfo> pods, List<NetworkPolicy> policies) {
        for (NamespaceInfo n : namespaces) {
            this.namespaces.put(n.name(), n);
        }
        this.policies = List.copyOf(policies);
        List<PodInfo> ordered = new ArrayList<>(pods);
        ordered.sort(Comparator.comparing(PodInfo::id));
        for (PodInfo p : ordered) {
            if (!p.hostNetwork()) {
                for (IpAddress a : p.ips()) {
                    podsByAddress.putIfAbsent(a, p); // an address two pods claim belongs to the first by id
                }
            }
        }
    }

    /** The pod holding an address, or null. */
    public PodInfo podAt(IpAddress address) {
        return podsByAddress.get(address);
    }

    /** Labels of a namespace (a namespace the source does not know has only its name label). */
    public Map<String, String> namespaceLabels(String namespace) {
        NamespaceInfo n = namespaces.get(namespace);
        return n != null ? n.labels() : NamespaceInfo.of(namespace, Map.of()).labels();
    }

    /** Whether a new connection's packet from {@code src} to {@code dst}, IP protocol {@code ipProtocol}, destination port {@code port} (0 when the protocol has none) may pass. */
    public boolean allows(IpAddress src, IpAddress dst, int ipProtocol, int port) {
        return egressAllows(src, dst, ipProtocol, port) && ingressAllows(src, dst, ipProtocol, port);
    }

    public boolean egressAllows(IpAddress src, IpAddress dst, int ipProtocol, int port) {
        PodInfo from = podAt(src);
        if (from == null) {
            return true;
        }
        boolean isolated = false;
        for (NetworkPolicy p : policies) {
            if (p.egress() && p.selects(from)) {
                isolated = true;
                for (PolicyRule r : p.egressRules()) {
                    if (peerMatches(r, p, dst) && portMatches(r, podAt(dst), ipProtocol, port)) {
                        return true;
                    }
                }
            }
        }
        return !isolated;
    }

    public boolean ingressAllows(IpAddress src, IpAddress dst, int ipProtocol, int port) {
        PodInfo to = podAt(dst);
        if (to == null) {
            return true;
        }
        boolean isolated = false;
        for (NetworkPolicy p : policies) {
            if (p.ingress() && p.selects(to)) {
                isolated = true;
                for (PolicyRule r : p.ingressRules()) {
                    if (peerMatches(r, p, src) && portMatches(r, to, ipProtocol, port)) {
                        return true;
                    }
                }
            }
        }
        return !isolated;
    }

    /** Is the pod isolated for ingress (true) / egress (false) by some policy? */
    public boolean isolated(PodInfo pod, boolean ingress) {
        for (NetworkPolicy p : policies) {
            if ((ingress ? p.ingress() : p.egress()) && p.selects(pod)) {
                return true;
            }
        }
        return false;
    }

    private boolean peerMatches(PolicyRule rule, NetworkPolicy policy, IpAddress peerAddress) {
        if (rule.allPeers()) {
            return true;
        }
        PodInfo peerPod = podAt(peerAddress);
        for (PolicyPeer peer : rule.peers()) {
            if (matches(peer, policy, peerPod, peerAddress)) {
                return true;
            }
        }
        return false;
    }

    /** Whether one peer entry of {@code policy} matches the pod (may be null) at {@code address}. */
    boolean matches(PolicyPeer peer, NetworkPolicy policy, PodInfo pod, IpAddress address) {
        return switch (peer) {
            case PolicyPeer.IpBlock block -> block.matches(address);
            case PolicyPeer.Pods pods -> pod != null && podPeerMatches(pods, policy.id().namespace(), pod);
        };
    }

    boolean podPeerMatches(PolicyPeer.Pods peer, String policyNamespace, PodInfo pod) {
        boolean namespaceOk = peer.namespaceSelector() == null ? pod.namespace().equals(policyNamespace)
                : peer.namespaceSelector().matches(namespaceLabels(pod.namespace()));
        return namespaceOk && (peer.podSelector() == null || peer.podSelector().matches(pod.labels()));
    }

    private static boolean portMatches(PolicyRule rule, PodInfo destination, int ipProtocol, int port) {
        if (rule.allPorts()) {
            return true;
        }
        for (PolicyPort p : rule.ports()) {
            if (p.protocol().ipProtocolNumber() != ipProtocol) {
                continue;
            }
            if (p.isNamed()) {
                if (destination != null && declares(destination, p.name(), p.protocol(), port)) {
                    return true;
                }
            } else if (port >= p.firstPort() && port <= p.lastPort()) {
                return true;
            }
        }
        return false;
    }

    static boolean declares(PodInfo pod, String name, Protocol protocol, int port) {
        for (ContainerPort c : pod.ports()) {
            if (c.name().equals(name) && c.protocol() == protocol && c.port() == port) {
                return true;
            }
        }
        return false;
    }
}
