package io.podswitch.config.model;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import java.util.List;
import java.util.Optional;

/** A static ClusterIP service: its VIPs (one per family, first is primary), ports and backends. */
public record ServiceConfig(String name, List<IpAddress> vips, List<ServicePort> ports, List<ServiceBackend> backends,
                            SessionAffinity sessionAffinity, int sessionAffinityTimeoutSeconds,
                            ExternalTrafficPolicy externalTrafficPolicy) {

    public ServiceConfig {
        vips = List.copyOf(vips);
        ports = List.copyOf(ports);
        backends = List.copyOf(backends);
    }

    public Optional<IpAddress> vip(IpFamily family) {
        return vips.stream().filter(v -> v.family() == family).findFirst();
    }
}
