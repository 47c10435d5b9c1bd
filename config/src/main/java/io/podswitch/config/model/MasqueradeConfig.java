package io.podswitch.config.model;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpFamily;
import java.util.List;

/**
 * Pods → outside the cluster: whether podswitchd masquerades such traffic to the node's address, and
 * which destinations keep the pod's address anyway (besides the cluster's own pod, service and node
 * ranges, which never are masqueraded). Calico's {@code natOutgoing}, Flannel's {@code --ip-masq},
 * ip-masq-agent's {@code nonMasqueradeCIDRs}.
 *
 * @param enabled            {@code masquerade:} (default true)
 * @param nonMasqueradeCidrs {@code nonMasqueradeCIDRs:} in file order (default none)
 */
public record MasqueradeConfig(boolean enabled, List<Cidr> nonMasqueradeCidrs) {

    /** What a file without the two keys means. */
    public static final MasqueradeConfig DEFAULT = new MasqueradeConfig(true, List.of());

    public MasqueradeConfig {
        nonMasqueradeCidrs = List.copyOf(nonMasqueradeCidrs);
    }

    /** The non-masqueraded destinations of one family. */
    public List<Cidr> nonMasqueradeCidrs(IpFamily family) {
        return nonMasqueradeCidrs.stream().filter(c -> c.family() == family).toList();
    }
}
