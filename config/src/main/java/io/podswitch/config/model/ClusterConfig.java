package io.podswitch.config.model;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpFamily;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated, immutable cluster network configuration with every default filled in and every node's
 * pod CIDRs known. Per-family lists ({@code podCidrs}, {@code serviceCidrs}, {@code nodeCidrs}) are in
 * {@code ipFamilies} order, so index 0 is always the primary family. {@code masquerade}: pods → outside
 * the cluster (docs/egress.md).
 */
public record ClusterConfig(List<IpFamily> ipFamilies, List<Cidr> podCidrs, List<Cidr> serviceCidrs, List<Cidr> nodeCidrs,
                            Map<IpFamily, Integer> nodeCidrMaskSizes, String thisNodeName, OverlayConfig overlay,
                            List<NodeConfig> nodes, List<ServiceConfig> services, MasqueradeConfig masquerade) {

    public ClusterConfig {
        ipFamilies = List.copyOf(ipFamilies);
        podCidrs = List.copyOf(podCidrs);
        serviceCidrs = List.copyOf(serviceCidrs);
        nodeCidrs = List.copyOf(nodeCidrs);
        nodeCidrMaskSizes = Map.copyOf(nodeCidrMaskSizes);
        nodes = List.copyOf(nodes);
        services = List.copyOf(services);
        String thisName = thisNodeName;
        if (nodes.stream().noneMatch(n -> n.name().equals(thisName))) {
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

    /** The node this process runs on (named by {@code node:} or {@code NODE_NAME}). */
    public NodeConfig thisNode() {
        return node(thisNodeName).orElseThrow();
    }

    public Optional<NodeConfig> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
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
