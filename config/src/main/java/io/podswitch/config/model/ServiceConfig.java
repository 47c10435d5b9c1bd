package io.podswitch.config.model;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import java.util.List;
import java.util.Optional;

/**
 * A static service: its VIPs (one per family, first is primary), ports and backends, and the addresses from
 * outside it is also reached on ({@code externalIPs}).
 */
public record ServiceConfig(String name, List<IpAddress> vips, List<ServicePort> ports, List<ServiceBackend> backends,
                            SessionAffinity sessionAffinity, int sessionAffinityTimeoutSeconds,
                            ExternalTrafficPolicy externalTrafficPolicy, List<IpAddress> externalIps,
                            InternalTrafficPolicy internalTrafficPolicy) {

    public ServiceConfig {
        vips = List.copyOf(vips);
        ports = List.copyOf(ports);
        backends = List.copyOf(backends);
        externalIps = List.copyOf(externalIps);
    }

    /** A service without external IPs and with {@code internalTrafficPolicy: Cluster}. */
    public ServiceConfig(String name, List<IpAddress> vips, List<ServicePort> ports, List<ServiceBackend> backends,
                         SessionAffinity sessionAffinity, int sessionAffinityTimeoutSeconds,
                         ExternalTrafficPolicy externalTrafficPolicy) {
        this(name, vips, ports, backends, sessionAffinity, sessionAffinityTimeoutSeconds, externalTrafficPolicy,
                List.of(), InternalTrafficPolicy.CLUSTER);
    }

    public Optional<IpAddress> vip(IpFamily family) {
        return vips.stream().filter(v -> v.family() == family).findFirst();
    }
}
