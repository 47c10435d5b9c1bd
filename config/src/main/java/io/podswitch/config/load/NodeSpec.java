package io.podswitch.config.load;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.UplinkAttach;
import java.util.List;
import java.util.Optional;

/** One entry of {@code nodes:} as written; {@code index} is its position in the list. */
public record NodeSpec(int index,
                       SourcePosition position,
                       String path,
                       Optional<Located<String>> name,
                       LocatedList<IpAddress> addresses,
                       LocatedList<Cidr> podCidrs,
                       Optional<Located<String>> uplinkInterface,
                       Optional<Located<Integer>> uplinkMtu,
                       Optional<Located<UplinkAttach>> uplinkAttach) {

    public static final List<String> KEYS = java.util.List.of("name", "addresses", "podCIDRs", "uplink");
    public static final List<String> UPLINK_KEYS = java.util.List.of("interface", "mtu", "attach");

    /** The node's name for messages: its name if readable, else its path. */
    public String label() {
        return name.map(Located::value).orElse(path);
    }
}
