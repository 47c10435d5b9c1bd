package io.podswitch.daemon.kubernetes.nodes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.cidr.IpFormatException;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One Node object → a {@link NodeConfig} (what the peer manager installs) or the reason it cannot be used.
 * Reads what Flannel and Calico read: {@code metadata.name}, {@code spec.podCIDRs} (falling back to the
 * single-family {@code spec.podCIDR} of older clusters) and the {@code InternalIP} entries of
 * {@code status.addresses}. Checks each against the cluster file: one pod CIDR per cluster family, inside
 * that family's {@code podCIDRs}; an InternalIP of the underlay family (the tunnels run between those);
 * every address inside {@code nodeCIDRs}. CIDRs and addresses of families the cluster file does not list are
 * ignored (a dual-stack API cluster run single-stack by podswitch). Checks that need the other nodes
 * (overlaps, duplicates) are {@link ClusterNodes}'. Pure: no state, any thread.
 */
public final class NodeTranslator {
    private final ClusterConfig cluster;

    /** @param cluster the cluster file (families, CIDRs, overlay, uplinks) */
    public NodeTranslator(ClusterConfig cluster) {
        this.cluster = cluster;
    }

    public NodeVerdict translate(Node node) {
        String name = node.getMetadata() == null ? null : node.getMetadata().getName();
        if (name == null || name.isEmpty()) {
            return new NodeVerdict.Rejected("(unnamed)", "unnamed", "has no metadata.name");
        }
        List<String> cidrTexts = podCidrTexts(node);
        if (cidrTexts.isEmpty()) {
            return new NodeVerdict.Rejected(name, "no_pod_cidr", "has no pod CIDR yet (spec.podCIDRs is empty: kube-controller-manager "
                    + "--allocate-node-cidrs allocates it, or set it)");
        }
        Map<IpFamily, Cidr> cidrs = new EnumMap<>(IpFamily.class);
        for (String text : cidrTexts) {
            Cidr cidr;
            try {
                cidr = Cidr.parse(text.strip());
            } catch (IpFormatException e) {
                return new NodeVerdict.Rejected(name, "bad_pod_cidr", "spec.podCIDRs: " + e.getMessage());
            }
            if (!cluster.hasFamily(cidr.family())) {
                continue;
            }
            if (cidrs.putIfAbsent(cidr.family(), cidr) != null) {
                return new NodeVerdict.Rejected(name, "bad_pod_cidr", "spec.podCIDRs " + cidrTexts + " has two " + cidr.family() + " CIDRs");
            }
            Cidr range = cluster.podCidr(cidr.family()).orElseThrow();
            if (!range.contains(cidr)) {
                return new NodeVerdict.Rejected(name, "pod_cidr_outside_cluster", "pod CIDR " + cidr + " is outside the cluster's podCIDRs " + range);
            }
        }
        List<Cidr> podCidrs = new ArrayList<>();
        for (IpFamily family : cluster.ipFamilies()) {
            Cidr cidr = cidrs.get(family);
            if (cidr == null) {
                return new NodeVerdict.Rejected(name, "missing_family", "has no " + family + " pod CIDR (spec.podCIDRs " + cidrTexts
                        + "; the cluster is " + String.join("+", cluster.ipFamilies().stream().map(Object::toString).toList()) + ")");
            }
            podCidrs.add(cidr);
        }
        Map<IpFamily, IpAddress> addresses = new EnumMap<>(IpFamily.class);
        List<NodeAddress> listed = node.getStatus() == null || node.getStatus().getAddresses() == null ? List.of()
                : node.getStatus().getAddresses();
        for (NodeAddress a : listed) {
            if (!"InternalIP".equals(a.getType()) || a.getAddress() == null) {
                continue;
            }
            IpAddress address;
            try {
                address = IpAddress.parse(a.getAddress().strip());
            } catch (IpFormatException e) {
                return new NodeVerdict.Rejected(name, "bad_internal_ip", "InternalIP '" + a.getAddress() + "': " + e.getMessage());
            }
            if (!cluster.hasFamily(address.family()) || addresses.containsKey(address.family())) {
                continue; // kubelet lists the primary address of each family first
            }
            Cidr nodeRange = cluster.nodeCidr(address.family()).orElseThrow();
            if (!nodeRange.contains(address)) {
                return new NodeVerdict.Rejected(name, "internal_ip_outside_node_cidrs", "InternalIP " + address + " is outside the cluster's nodeCIDRs " + nodeRange);
            }
            addresses.put(address.family(), address);
        }
        IpFamily underlay = cluster.overlay().underlayFamily();
        if (!addresses.containsKey(underlay)) {
            return new NodeVerdict.Rejected(name, "no_internal_ip", "has no " + underlay + " InternalIP in status.addresses (the "
                    + underlay + " underlay needs one)");
        }
        List<IpAddress> ordered = new ArrayList<>();
        for (IpFamily family : cluster.ipFamilies()) {
            IpAddress a = addresses.get(family);
            if (a != null) {
                ordered.add(a);
            }
        }
        return new NodeVerdict.Accepted(new NodeConfig(name, ordered, podCidrs, false, cluster.uplinkOf(name)));
    }

    private static List<String> podCidrTexts(Node node) {
        if (node.getSpec() == null) {
            return List.of();
        }
        List<String> many = node.getSpec().getPodCIDRs();
        if (many != null && !many.isEmpty()) {
            return many.stream().filter(s -> s != null && !s.isBlank()).toList();
        }
        String one = node.getSpec().getPodCIDR();
        return one == null || one.isBlank() ? List.of() : List.of(one);
    }
}
