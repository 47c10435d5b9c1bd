package io.podswitch.config.model;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.policy.NetworkPolicyConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated, immutable cluster network configuration with every default filled in and every node's
 * pod CIDRs known. Per-family lists ({@code podCidrs}, {@code serviceCidrs}, {@code nodeCidrs}) are in
 * {@code ipFamilies} order, so index 0 is always the primary family. {@code masquerade}: pods → outside
 * the cluster (docs/egress.md).
 *
 * <p>With {@link ClusterSource#FILE} the file lists every node, this one included. With
 * {@link ClusterSource#KUBERNETES} the file lists no node: {@code nodes} is empty as loaded, and the
 * Kubernetes source puts in the nodes the API server reports ({@link #withNodes}), this node's first; each
 * node's uplink is then {@link #uplinkOf} its name (a per-node override from the file, else the
 * cluster-wide {@code uplink}).
 *
 * @param kubernetes      how to reach the API server; {@link KubernetesSettings#autoConfigured()} with the file source
 * @param uplink          the cluster-wide default uplink (top-level {@code uplink:} over the built-in defaults)
 * @param uplinkOverrides per-node uplinks by node name ({@code nodes[].uplink} with {@code source: kubernetes};
 *                        empty with the file source, whose nodes carry their own)
 */
public record ClusterConfig(ClusterSource source, KubernetesSettings kubernetes, List<IpFamily> ipFamilies,
                            List<Cidr> podCidrs, List<Cidr> serviceCidrs, List<Cidr> nodeCidrs,
                            Map<IpFamily, Integer> nodeCidrMaskSizes, String thisNodeName, OverlayConfig overlay,
                            UplinkConfig uplink, Map<String, UplinkConfig> uplinkOverrides,
                            List<NodeConfig> nodes, List<ServiceConfig> services,
                            MasqueradeConfig masquerade, NetworkPolicyConfig networkPolicy) {

    public ClusterConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(kubernetes, "kubernetes");
        Objects.requireNonNull(uplink, "uplink");
        Objects.requireNonNull(masquerade, "masquerade");
        ipFamilies = List.copyOf(ipFamilies);
        podCidrs = List.copyOf(podCidrs);
        serviceCidrs = List.copyOf(serviceCidrs);
        nodeCidrs = List.copyOf(nodeCidrs);
        nodeCidrMaskSizes = Map.copyOf(nodeCidrMaskSizes);
        uplinkOverrides = Map.copyOf(uplinkOverrides);
        nodes = List.copyOf(nodes);
        services = List.copyOf(services);
        networkPolicy = networkPolicy == null ? NetworkPolicyConfig.NONE : networkPolicy;
        String thisName = thisNodeName;
        boolean known = nodes.stream().anyMatch(n -> n.name().equals(thisName));
        if (!known && (source == ClusterSource.FILE || !nodes.isEmpty())) {
            throw new IllegalArgumentException("this node '" + thisNodeName + "' is not among the nodes");
        }
    }

    public IpFamily primaryFamily() {
        return ipFamilies.getFirst();
    }

    public boolean isDualStack() {
        return ipFamilies.size() == 2;
    }

    public boolean hasFamily(IpFamily family) {
        return ipFamilies.contains(family);
    }

    /** Nodes (and services) come from the Kubernetes API server. */
    public boolean fromKubernetes() {
        return source == ClusterSource.KUBERNETES;
    }

    /**
     * The node this process runs on (named by {@code node:} or {@code NODE_NAME}).
     *
     * @throws java.util.NoSuchElementException with {@code source: kubernetes} before its Node object was seen
     */
    public NodeConfig thisNode() {
        return node(thisNodeName).orElseThrow();
    }

    public Optional<NodeConfig> node(String name) {
        for (NodeConfig n : nodes) {
            if (n.name().equals(name)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    /** The uplink a node uses: its override from the file, else the cluster-wide default. */
    public UplinkConfig uplinkOf(String nodeName) {
        return uplinkOverrides.getOrDefault(nodeName, uplink);
    }

    /**
     * This configuration with {@code nodes} as the cluster's nodes (the Kubernetes source: the nodes the API
     * server reports, which must include this one). Everything else is kept.
     */
    public ClusterConfig withNodes(List<NodeConfig> nodes) {
        return new ClusterConfig(source, kubernetes, ipFamilies, podCidrs, serviceCidrs, nodeCidrs, nodeCidrMaskSizes,
                thisNodeName, overlay, uplink, uplinkOverrides, nodes, services, masquerade,
                networkPolicy);
    }

    /** This configuration with {@code masquerade} instead of its own (a reload compares the rest). */
    public ClusterConfig withMasquerade(MasqueradeConfig masquerade) {
        return new ClusterConfig(source, kubernetes, ipFamilies, podCidrs, serviceCidrs, nodeCidrs, nodeCidrMaskSizes,
                thisNodeName, overlay, uplink, uplinkOverrides, nodes, services, masquerade,
                networkPolicy);
    }

    /** The nodes by name (for diffs over thousands of nodes, where {@link #node} per lookup would be quadratic). */
    public Map<String, NodeConfig> nodesByName() {
        Map<String, NodeConfig> byName = new HashMap<>(nodes.size() * 2);
        for (NodeConfig n : nodes) {
            byName.put(n.name(), n);
        }
        return byName;
    }

    public Optional<Cidr> podCidr(IpFamily family) {
        return podCidrs.stream().filter(c -> c.family() == family).findFirst();
    }

    public Optional<Cidr> serviceCidr(IpFamily family) {
        return serviceCidrs.stream().filter(c -> c.family() == family).findFirst();
    }

    public Optional<Cidr> nodeCidr(IpFamily family) {
        return nodeCidrs.stream().filter(c -> c.family() == family).findFirst();
    }

    /** Prefix length of each node's pod CIDR for {@code family} (only for families in {@code ipFamilies}). */
    public int nodeCidrMaskSize(IpFamily family) {
        Integer size = nodeCidrMaskSizes.get(family);
        if (size == null) {
            throw new IllegalArgumentException(family + " is not in ipFamilies " + ipFamilies);
        }
        return size;
    }
}
