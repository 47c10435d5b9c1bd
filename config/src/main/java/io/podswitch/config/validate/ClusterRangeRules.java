package io.podswitch.config.validate;

import io.podswitch.config.allocate.NodePodCidrAllocator;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.load.ClusterSpec;
import io.podswitch.config.load.Located;
import io.podswitch.config.load.LocatedList;
import io.podswitch.config.load.Problems;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Rules for the cluster-wide ranges: pod, service and node ranges are disjoint; node mask sizes fit. */
final class ClusterRangeRules {

    /** Defaults of kube-controller-manager's --node-cidr-mask-size-ipv4 / -ipv6. */
    static final Map<IpFamily, Integer> DEFAULT_MASK_SIZES = Map.of(IpFamily.IPV4, 24, IpFamily.IPV6, 64);
    /** Longest node mask: a node needs room for its gateway address and at least one pod. */
    static final Map<IpFamily, Integer> LONGEST_MASK_SIZES = Map.of(IpFamily.IPV4, 30, IpFamily.IPV6, 126);

    private final Problems problems;

    ClusterRangeRules(Problems problems) {
        this.problems = problems;
    }

    /** Every pair of pod, service and node ranges of the same family must be disjoint. */
    void disjoint(ClusterSpec spec) {
        List<LocatedList<Cidr>> lists = List.of(spec.podCidrs(), spec.serviceCidrs(), spec.nodeCidrs());
        for (int a = 0; a < lists.size(); a++) {
            for (int b = a + 1; b < lists.size(); b++) {
                for (Located<Cidr> first : lists.get(a).items()) {
                    for (Located<Cidr> second : lists.get(b).items()) {
                        if (first.value().overlaps(second.value())) {
                            Located<Cidr> later = laterOf(first, second);
                            Located<Cidr> earlier = later == first ? second : first;
                            problems.report(later, later.value() + " overlaps " + earlier.path() + " " + earlier.value()
                                    + "; pod, service and node ranges must not share addresses");
                        }
                    }
                }
            }
        }
    }

    private static Located<Cidr> laterOf(Located<Cidr> a, Located<Cidr> b) {
        if (a.position().line() != b.position().line()) {
            return a.position().line() > b.position().line() ? a : b;
        }
        return a.position().column() >= b.position().column() ? a : b;
    }

    /**
     * The node mask size per listed family (given or default), checked against the cluster pod range.
     * A family whose size is unusable is left out, so no allocation is attempted for it.
     */
    Map<IpFamily, Integer> maskSizes(ClusterSpec spec, List<IpFamily> families) {
        Map<IpFamily, Integer> sizes = new EnumMap<>(IpFamily.class);
        for (Map.Entry<IpFamily, Located<Integer>> given : spec.nodeCidrMaskSizes().entrySet()) {
            if (!families.contains(given.getKey())) {
                problems.report(given.getValue(), "sets a mask size for " + given.getKey()
                        + " but ipFamilies does not list " + given.getKey());
            }
        }
        for (IpFamily family : families) {
            Optional<Located<Integer>> given = Optional.ofNullable(spec.nodeCidrMaskSizes().get(family));
            int size = given.map(Located::value).orElse(DEFAULT_MASK_SIZES.get(family));
            Optional<Located<Cidr>> podRange = spec.podCidrs().items().stream()
                    .filter(c -> c.value().family() == family).findFirst();
            int shortest = podRange.map(r -> r.value().prefixLength()).orElse(1);
            int longest = LONGEST_MASK_SIZES.get(family);
            String where = given.isPresent() ? "" : " (the default for " + family + "; set nodeCIDRMaskSizes." + family + ")";
            if (size < shortest || size > longest) {
                String message = "node pod CIDR mask /" + size + where + " must be between /" + shortest
                        + (podRange.isPresent() ? " (the cluster pod range " + podRange.get().value() + ")" : "")
                        + " and /" + longest;
                reportAt(given, podRange, spec, message);
                continue;
            }
            if (podRange.isPresent() && size - shortest > NodePodCidrAllocator.MAX_EXTRA_BITS) {
                reportAt(given, podRange, spec, "node pod CIDR mask /" + size + where + " is more than "
                        + NodePodCidrAllocator.MAX_EXTRA_BITS + " bits longer than the cluster pod range "
                        + podRange.get().value() + " (at most 65536 nodes, as kube-controller-manager allows)");
                continue;
            }
            sizes.put(family, size);
        }
        return sizes;
    }

    private void reportAt(Optional<Located<Integer>> given, Optional<Located<Cidr>> podRange, ClusterSpec spec, String message) {
        if (given.isPresent()) {
            problems.report(given.get(), message);
        } else if (podRange.isPresent()) {
            problems.report(podRange.get(), message);
        } else {
            problems.report(spec.position(), "nodeCIDRMaskSizes", message);
        }
    }
}
