package io.podswitch.config.load;

import io.podswitch.config.model.Protocol;
import java.util.List;
import java.util.Optional;

/** One entry of a service's {@code ports:} as written. */
public record ServicePortSpec(SourcePosition position,
                              String path,
                              Optional<Located<String>> name,
                              Optional<Located<Protocol>> protocol,
                              Optional<Located<Integer>> port,
                              Optional<Located<Integer>> targetPort,
                              Optional<Located<Integer>> nodePort) {

    public static final List<String> KEYS = java.util.List.of("name", "protocol", "port", "targetPort", "nodePort");
}
