package io.podswitch.config.load;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.ExternalTrafficPolicy;
import io.podswitch.config.model.InternalTrafficPolicy;
import io.podswitch.config.model.SessionAffinity;
import java.util.List;
import java.util.Optional;

/** One entry of {@code services:} as written. */
public record ServiceSpec(SourcePosition position,
                          String path,
                          Optional<Located<String>> name,
                          LocatedList<IpAddress> vips,
                          LocatedList<ServicePortSpec> ports,
                          LocatedList<BackendSpec> backends,
                          Optional<Located<SessionAffinity>> sessionAffinity,
                          Optional<Located<Integer>> sessionAffinityTimeoutSeconds,
                          Optional<Located<ExternalTrafficPolicy>> externalTrafficPolicy,
                          LocatedList<IpAddress> externalIps,
                          Optional<Located<InternalTrafficPolicy>> internalTrafficPolicy) {

    public static final List<String> KEYS = java.util.List.of("name", "vips", "ports", "backends",
            "sessionAffinity", "sessionAffinityTimeoutSeconds", "externalTrafficPolicy", "externalIPs",
            "internalTrafficPolicy");
}
