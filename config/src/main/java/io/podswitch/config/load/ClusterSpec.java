package io.podswitch.config.load;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.ClusterSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The file as written, before validation: every value keeps its position and path, and anything the user
 * left out is empty (defaults are applied only when the model is built).
 */
public record ClusterSpec(SourcePosition position,
                          Optional<Located<ClusterSource>> source,
                          Optional<KubernetesSpec> kubernetes,
                          LocatedList<IpFamily> ipFamilies,
                          LocatedList<Cidr> podCidrs,
                          LocatedList<Cidr> serviceCidrs,
                          LocatedList<Cidr> nodeCidrs,
                          Map<IpFamily, Located<Integer>> nodeCidrMaskSizes,
                          Optional<Located<String>> node,
                          OverlaySpec overlay,
                          UplinkSpec uplink,
                          LocatedList<NodeSpec> nodes,
                          LocatedList<ServiceSpec> services,
                          MasqueradeSpec masquerade,
                          NetworkPolicySpec networkPolicy) {

    public ClusterSpec {
        nodeCidrMaskSizes = Map.copyOf(nodeCidrMaskSizes);
    }

    /** YAML keys at the top level, in documentation order. */
    public static final List<String> KEYS = Stream.of(
            List.of("source", "kubernetes", "ipFamilies", "podCIDRs", "serviceCIDRs", "nodeCIDRs", "nodeCIDRMaskSizes",
                    "node", "overlay", "uplink", "nodes", "services"),
            MasqueradeSpec.KEYS, List.of("networkPolicy")).flatMap(List::stream).toList();

    /** Nodes (and services) come from the API server: {@code source: kubernetes}. */
    public boolean fromKubernetes() {
        return source.map(Located::value).orElse(ClusterSource.FILE) == ClusterSource.KUBERNETES;
    }
}
