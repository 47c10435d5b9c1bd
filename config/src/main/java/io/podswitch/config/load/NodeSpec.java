package io.podswitch.config.load;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import java.util.List;
import java.util.Optional;

/** One entry of {@code nodes:} as written; {@code index} is its position in the list. */
public record NodeSpec(int index,
                       SourcePosition position,
                       String path,
                       Optional<Located<String>> name,
                       LocatedList<IpAddress> addresses,
                       LocatedList<Cidr> podCidrs,
                       UplinkSpec uplink) {

    public static final List<String> KEYS = java.util.List.of("name", "addresses", "podCIDRs", "uplink");

    /** The node's name for messages: its name if readable, else its path. */
    public String label() {
        return name.map(Located::value).orElse(path);
    }
}
