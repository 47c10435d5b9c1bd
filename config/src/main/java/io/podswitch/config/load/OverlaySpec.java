package io.podswitch.config.load;

import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.OverlayMode;
import java.util.List;
import java.util.Optional;

/** The {@code overlay:} block as written; {@code position} is the block's (or the top level's when absent). */
public record OverlaySpec(SourcePosition position,
                          Optional<Located<OverlayMode>> mode,
                          Optional<Located<Integer>> vni,
                          Optional<Located<Integer>> udpPort,
                          Optional<Located<Integer>> podMtu,
                          Optional<Located<IpFamily>> underlayFamily) {

    public static final List<String> KEYS = java.util.List.of("mode", "vni", "udpPort", "podMTU", "underlayFamily");
}
