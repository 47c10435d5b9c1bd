package io.podswitch.config.load;

import io.podswitch.config.cidr.IpAddress;
import java.util.List;
import java.util.Optional;

/** One entry of a service's {@code backends:} as written. */
public record BackendSpec(SourcePosition position,
                          String path,
                          Optional<Located<IpAddress>> address,
                          Optional<Located<Integer>> port,
                          Optional<Located<Integer>> weight,
                          Optional<Located<Boolean>> ready,
                          Optional<Located<Boolean>> terminating) {

    public static final List<String> KEYS = java.util.List.of("address", "port", "weight", "ready", "terminating");
}
