package io.podswitch.config.model;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import java.util.List;
import java.util.Optional;

/**
 * One node: addresses and pod CIDRs in {@code ipFamilies} order (primary first). {@code podCidrsAllocated}
 * tells whether the pod CIDRs came from the deterministic allocator rather than the file.
 */
public record NodeConfig(String name, List<IpAddress> addresses, List<Cidr> podCidrs, boolean podCidrsAllocated,
                         UplinkConfig uplink) {

    public NodeConfig {
        addresses = List.copyOf(addresses);
        podCidrs = List.copyOf(podCidrs);
    }

    public Optional<IpAddress> address(IpFamily family) {
        return addresses.stream().filter(a -> a.family() == family).findFirst();
    }

    public Optional<Cidr> podCidr(IpFamily family) {
        return podCidrs.stream().filter(c -> c.family() == family).findFirst();
    }
}
