package io.podswitch.config.validate;

import io.podswitch.config.allocate.NodePodCidrAllocator;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.load.ClusterSpec;
import io.podswitch.config.load.Located;
import io.podswitch.config.load.LocatedList;
import io.podswitch.config.load.NodeSpec;
import io.podswitch.config.load.Problems;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Rules for {@code nodes:}: names, addresses, explicit pod CIDRs and uplinks; then the pod CIDR allocation
 * for nodes without one, which reports a cluster pod range too small for the nodes. With
 * {@code source: kubernetes} the list is optional and holds only per-node uplink overrides (addresses and pod
 * CIDRs come from the Node objects).
 */
final class NodeRules {

    /** Kubernetes node names are RFC 1123 subdomains. */
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final Problems problems;
    private final FamilyRules familyRules;
    private final UplinkRules uplinkRules;

    NodeRules(Problems problems, FamilyRules familyRules) {
        this.problems = problems;
        this.familyRules = familyRules;
        this.uplinkRules = new UplinkRules(problems);
    }

    /** Is {@code name} a valid Kubernetes node name (an RFC 1123 subdomain)? */
    static boolean validName(String name) {
        return name.length() <= 253 && NODE_NAME.matcher(name).matches();
    }

    void check(ClusterSpec spec, Optional<List<IpFamily>> families) {
        uplinkRules.check(spec.uplink(), families);
        if (spec.fromKubernetes()) {
            checkOverrides(spec, families);
            return;
        }
        LocatedList<NodeSpec> nodes = spec.nodes();
        if (!nodes.present()) {
            problems.report(nodes.position(), "nodes", "is missing; list at least this node");
            return;
        }
        if (nodes.isEmpty() && nodes.complete()) {
            problems.report(nodes.position(), "nodes", "lists no node; list at least this node");
        }
        Map<String, NodeSpec> byName = new HashMap<>();
        Map<IpAddress, Located<IpAddress>> addressOwners = new HashMap<>();
        for (Located<NodeSpec> located : nodes.items()) {
            NodeSpec node = located.value();
            checkName(node, byName);
            families.ifPresent(f -> {
                familyRules.perFamily(node.addresses(), f, IpAddress::family, "address", true);
                familyRules.perFamily(node.podCidrs(), f, Cidr::family, "range", false);
            });
            familyRules.noMappedAddresses(node.addresses());
            familyRules.noMappedRanges(node.podCidrs());
            for (Located<IpAddress> address : node.addresses().items()) {
                checkAddress(spec, node, address, addressOwners);
            }
            uplinkRules.check(node.uplink(), families);
        }
    }

    /** {@code source: kubernetes}: each entry names a node and overrides its uplink; nothing else. */
    private void checkOverrides(ClusterSpec spec, Optional<List<IpFamily>> families) {
        Map<String, NodeSpec> byName = new HashMap<>();
        for (Located<NodeSpec> located : spec.nodes().items()) {
            NodeSpec node = located.value();
            checkName(node, byName);
            for (LocatedList<?> fromApi : List.of(node.addresses(), node.podCidrs())) {
                if (fromApi.present()) {
                    problems.report(fromApi.position(), fromApi.path(), "comes from the node's Node object with "
                            + "source: kubernetes; remove it (nodes[] only overrides a node's uplink there)");
                }
            }
            uplinkRules.check(node.uplink(), families);
        }
    }

    private void checkName(NodeSpec node, Map<String, NodeSpec> byName) {
        if (node.name().isEmpty()) {
            problems.report(node.position(), node.path() + ".name", "is missing; every node needs its Kubernetes node name");
            return;
        }
        Located<String> name = node.name().get();
        if (!validName(name.value())) {
            problems.report(name, "'" + name.value() + "' is not a valid node name: use lower-case letters, digits, "
                    + "'-' and '.', starting and ending with a letter or digit");
        }
        NodeSpec first = byName.putIfAbsent(name.value(), node);
        if (first != null) {
            problems.report(name, "node name " + name.value() + " is already used by " + first.path());
        }
    }

    private void checkAddress(ClusterSpec spec, NodeSpec node, Located<IpAddress> address,
                              Map<IpAddress, Located<IpAddress>> owners) {
        Located<IpAddress> first = owners.putIfAbsent(address.value(), address);
        if (first != null) {
            problems.report(address, address.value() + " is already used by " + first.path() + "; node addresses must be unique");
        }
        for (Located<Cidr> range : spec.nodeCidrs().items()) {
            if (range.value().family() == address.value().family() && !range.value().contains(address.value())) {
                problems.report(address, address.value() + " is outside " + range.path() + " " + range.value()
                        + "; node addresses must be inside nodeCIDRs");
            }
        }
    }

    /**
     * Checks explicit node pod CIDRs against the cluster pod range, the mask size and each other, then
     * allocates the missing ones. Returns per family the pod CIDR of each node (by node list order),
     * only for families where everything needed was valid.
     */
    Map<IpFamily, List<Optional<Cidr>>> podCidrs(ClusterSpec spec, List<IpFamily> families, Map<IpFamily, Integer> maskSizes) {
        Map<IpFamily, List<Optional<Cidr>>> allocations = new EnumMap<>(IpFamily.class);
        for (IpFamily family : families) {
            Optional<Located<Cidr>> podRange = spec.podCidrs().items().stream()
                    .filter(c -> c.value().family() == family).findFirst();
            Integer maskSize = maskSizes.get(family);
            boolean usable = podRange.isPresent() && maskSize != null && spec.nodes().complete();
            List<Optional<Cidr>> explicit = new ArrayList<>();
            List<Located<Cidr>> taken = new ArrayList<>();
            for (Located<NodeSpec> node : spec.nodes().items()) {
                if (!node.value().podCidrs().complete()) {
                    usable = false;
                }
                Optional<Located<Cidr>> own = node.value().podCidrs().items().stream()
                        .filter(c -> c.value().family() == family).findFirst();
                if (own.isPresent() && !checkExplicit(own.get(), node.value(), podRange, maskSize, taken, family)) {
                    usable = false;
                }
                explicit.add(own.map(Located::value));
            }
            if (!usable) {
                continue;
            }
            List<Optional<Cidr>> allocated = NodePodCidrAllocator.allocate(podRange.get().value(), maskSize, explicit);
            long missing = allocated.stream().filter(Optional::isEmpty).count();
            if (missing > 0) {
                Cidr range = podRange.get().value();
                problems.report(podRange.get(), range + " has room for " + range.subnetCount(maskSize) + " node pod CIDRs of /"
                        + maskSize + " but there are " + allocated.size() + " nodes; widen the range or lengthen "
                        + "nodeCIDRMaskSizes." + family);
                continue;
            }
            allocations.put(family, allocated);
        }
        return allocations;
    }

    private boolean checkExplicit(Located<Cidr> cidr, NodeSpec node, Optional<Located<Cidr>> podRange, Integer maskSize,
                                  List<Located<Cidr>> taken, IpFamily family) {
        boolean ok = true;
        if (maskSize != null && cidr.value().prefixLength() != maskSize) {
            problems.report(cidr, cidr.value() + " has mask /" + cidr.value().prefixLength() + " but node pod CIDRs must be /"
                    + maskSize + " (nodeCIDRMaskSizes." + family + ")");
            ok = false;
        }
        if (podRange.isPresent() && !podRange.get().value().contains(cidr.value())) {
            problems.report(cidr, cidr.value() + " is outside the cluster pod range " + podRange.get().path() + " "
                    + podRange.get().value());
            ok = false;
        }
        for (Located<Cidr> other : taken) {
            if (other.value().overlaps(cidr.value())) {
                problems.report(cidr, cidr.value() + " overlaps " + other.path() + " " + other.value() + "; node pod CIDRs "
                        + "must not share addresses");
                ok = false;
                break;
            }
        }
        taken.add(cidr);
        return ok;
    }
}
