package io.podswitch.config.load;

import java.util.List;
import java.util.Optional;

/** The {@code kubernetes:} block as written; {@code position} is the block's. */
public record KubernetesSpec(SourcePosition position, String path, Optional<Located<String>> kubeconfig) {

    public static final List<String> KEYS = List.of("kubeconfig");
}
