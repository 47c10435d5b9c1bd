package io.podswitch.config.validate;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.load.ClusterSpec;
import io.podswitch.config.load.Located;
import io.podswitch.config.load.NetworkPolicySpec;
import io.podswitch.config.load.Problems;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.NetworkPolicyConfig;
import io.podswitch.config.model.policy.PodInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rules across the items of {@code networkPolicy:} (each item was checked when read): names are unique, a
 * pod's addresses are of the cluster's families and, unless it is on the host network, inside podCIDRs,
 * and no address belongs to two pods.
 */
final class NetworkPolicyRules {
    private final Problems problems;

    NetworkPolicyRules(Problems problems) {
        this.problems = problems;
    }

    NetworkPolicyConfig check(ClusterSpec spec, Optional<List<IpFamily>> families) {
        NetworkPolicySpec section = spec.networkPolicy();
        List<NamespaceInfo> namespaces = unique(section.namespaces().items(), NamespaceInfo::name, "namespace");
        List<PodInfo> pods = unique(section.pods().items(), PodInfo::id, "pod");
        List<NetworkPolicy> policies = unique(section.policies().items(), NetworkPolicy::id, "policy");
        Map<IpAddress, String> owners = new HashMap<>();
        List<Cidr> podCidrs = spec.podCidrs().items().stream().map(Located::value).toList();
        for (Located<PodInfo> located : section.pods().items()) {
            PodInfo pod = located.value();
            for (IpAddress ip : pod.ips()) {
                String where = located.path() + ".ips";
                if (families.isPresent() && !families.get().contains(ip.family())) {
                    problems.report(located.position(), where, ip + " is " + ip.family() + ", which is not in ipFamilies "
                            + families.get().stream().map(IpFamily::displayName).toList());
                } else if (!pod.hostNetwork() && !podCidrs.isEmpty() && podCidrs.stream().noneMatch(c -> c.contains(ip))) {
                    problems.report(located.position(), where, ip + " is outside podCIDRs " + podCidrs
                            + " (a pod on the host network says hostNetwork: true)");
                }
                String first = pod.hostNetwork() ? null : owners.putIfAbsent(ip, pod.id().toString());
                if (first != null) {
                    problems.report(located.position(), where, ip + " is also the address of pod " + first);
                }
            }
        }
        return new NetworkPolicyConfig(namespaces, pods, policies);
    }

    private <T, K> List<T> unique(List<Located<T>> items, java.util.function.Function<T, K> key, String what) {
        Map<K, Located<T>> seen = new HashMap<>();
        List<T> out = new ArrayList<>();
        for (Located<T> item : items) {
            K k = key.apply(item.value());
            Located<T> first = seen.putIfAbsent(k, item);
            if (first != null) {
                problems.report(item, what + " " + k + " is already defined at " + first.path() + " (line "
                        + first.position().line() + ")");
            } else {
                out.add(item.value());
            }
        }
        return out;
    }
}
