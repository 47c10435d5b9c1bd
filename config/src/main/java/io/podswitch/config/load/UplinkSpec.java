package io.podswitch.config.load;

import io.podswitch.config.model.UplinkAttach;
import java.util.List;
import java.util.Optional;

/**
 * An {@code uplink:} block as written: the cluster-wide default at the top level, or one node's override
 * under {@code nodes[]}. Each key left out is taken from the level above ({@link #over}).
 */
public record UplinkSpec(Optional<Located<String>> interfaceName,
                         Optional<Located<Integer>> mtu,
                         Optional<Located<UplinkAttach>> attach) {

    public static final List<String> KEYS = List.of("interface", "mtu", "attach");

    public static UplinkSpec absent() {
        return new UplinkSpec(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** This block's keys where given, the others from {@code fallback}. */
    public UplinkSpec over(UplinkSpec fallback) {
        return new UplinkSpec(interfaceName.or(fallback::interfaceName), mtu.or(fallback::mtu), attach.or(fallback::attach));
    }
}
