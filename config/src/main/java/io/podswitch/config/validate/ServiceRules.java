package io.podswitch.config.validate;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.load.BackendSpec;
import io.podswitch.config.load.ClusterSpec;
import io.podswitch.config.load.Located;
import io.podswitch.config.load.Problems;
import io.podswitch.config.load.ServicePortSpec;
import io.podswitch.config.load.ServiceSpec;
import io.podswitch.config.model.ExternalTrafficPolicy;
import io.podswitch.config.model.InternalTrafficPolicy;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.ServiceBackend;
import io.podswitch.config.model.ServiceConfig;
import io.podswitch.config.model.ServicePort;
import io.podswitch.config.model.SessionAffinity;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Rules for the static {@code services:} list: names, VIPs inside serviceCIDRs, ports and node ports,
 * external IPs, backends, session affinity, traffic policies. Builds the service models, with defaults, for
 * the services it checked.
 */
final class ServiceRules {

    static final int NODE_PORT_MIN = 30000;
    static final int NODE_PORT_MAX = 32767;
    /** Kubernetes' default ClientIP affinity timeout: three hours. */
    static final int DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
    static final int MAX_AFFINITY_TIMEOUT_SECONDS = 86400;
    static final int MAX_WEIGHT = 65535;

    /** Service and port names are RFC 1123 labels, as in Kubernetes. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private final Problems problems;

    ServiceRules(Problems problems) {
        this.problems = problems;
    }

    List<ServiceConfig> check(ClusterSpec spec, Optional<List<IpFamily>> families) {
        List<ServiceConfig> services = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<IpAddress, String> vipOwners = new HashMap<>();
        Map<String, String> nodePortOwners = new HashMap<>();
        Map<String, String> externalOwners = new HashMap<>();
        for (Located<ServiceSpec> located : spec.services().items()) {
            ServiceSpec service = located.value();
            if (service.name().isEmpty()) {
                problems.report(service.position(), service.path() + ".name", "is missing; every service needs a name");
            } else {
                Located<String> name = service.name().get();
                checkLabel(name, "service name");
                String first = names.putIfAbsent(name.value(), service.path());
                if (first != null) {
                    problems.report(name, "service name " + name.value() + " is already used by " + first);
                }
            }
            checkVips(spec, service, families, vipOwners);
            List<ServicePort> ports = checkPorts(service, nodePortOwners);
            List<ServiceBackend> backends = checkBackends(service, ports.size());
            SessionAffinity affinity = service.sessionAffinity().map(Located::value).orElse(SessionAffinity.NONE);
            Optional<Located<Integer>> timeout = service.sessionAffinityTimeoutSeconds();
            if (timeout.isPresent() && affinity != SessionAffinity.CLIENT_IP) {
                problems.report(timeout.get(), "only applies with sessionAffinity: ClientIP");
            }
            IntRange.check(timeout, 1, MAX_AFFINITY_TIMEOUT_SECONDS, " seconds", problems);
            List<IpAddress> externalIps = checkExternalIps(spec, service, ports, vipOwners, externalOwners);
            ExternalTrafficPolicy policy = service.externalTrafficPolicy().map(Located::value).orElse(ExternalTrafficPolicy.CLUSTER);
            if (policy == ExternalTrafficPolicy.LOCAL && ports.stream().noneMatch(ServicePort::hasNodePort)
                    && externalIps.isEmpty()) {
                Located<ExternalTrafficPolicy> at = service.externalTrafficPolicy().orElseThrow();
                problems.report(at, "externalTrafficPolicy Local only applies to node ports and externalIPs, and this "
                        + "service has neither");
            }
            services.add(new ServiceConfig(service.name().map(Located::value).orElse(""),
                    service.vips().items().stream().map(Located::value).toList(), ports, backends, affinity,
                    affinity == SessionAffinity.CLIENT_IP ? timeout.map(Located::value).orElse(DEFAULT_AFFINITY_TIMEOUT_SECONDS) : 0,
                    policy, externalIps,
                    service.internalTrafficPolicy().map(Located::value).orElse(InternalTrafficPolicy.CLUSTER)));
        }
        return services;
    }

    private void checkVips(ClusterSpec spec, ServiceSpec service, Optional<List<IpFamily>> families,
                           Map<IpAddress, String> vipOwners) {
        if (!service.vips().present() || (service.vips().isEmpty() && service.vips().complete())) {
            problems.report(service.vips().position(), service.path() + ".vips", "is missing; give one or two cluster IPs "
                    + "(one per family) from serviceCIDRs");
            return;
        }
        Set<IpFamily> seen = EnumSet.noneOf(IpFamily.class);
        for (Located<IpAddress> vip : service.vips().items()) {
            IpFamily family = vip.value().family();
            if (families.isPresent() && !families.get().contains(family)) {
                problems.report(vip, vip.value() + " is an " + family + " address but ipFamilies does not list " + family);
                continue;
            }
            if (!seen.add(family)) {
                problems.report(vip, vip.value() + " is a second " + family + " VIP; give one VIP per family");
                continue;
            }
            Optional<Located<Cidr>> range = spec.serviceCidrs().items().stream()
                    .filter(c -> c.value().family() == family).findFirst();
            if (range.isPresent() && !range.get().value().contains(vip.value())) {
                problems.report(vip, vip.value() + " is outside " + range.get().path() + " " + range.get().value()
                        + "; service VIPs must be inside serviceCIDRs");
            }
            String owner = vipOwners.putIfAbsent(vip.value(), vip.path());
            if (owner != null) {
                problems.report(vip, vip.value() + " is already the VIP " + owner);
            }
        }
    }

    /**
     * {@code externalIPs}: addresses outside the cluster's pod and service ranges (not unspecified, loopback,
     * link-local or multicast), one of the service's VIP families, each (address, port, protocol) served by
     * one service only.
     */
    private List<IpAddress> checkExternalIps(ClusterSpec spec, ServiceSpec service, List<ServicePort> ports,
                                             Map<IpAddress, String> vipOwners, Map<String, String> externalOwners) {
        List<IpAddress> out = new ArrayList<>();
        Set<IpFamily> vipFamilies = EnumSet.noneOf(IpFamily.class);
        service.vips().items().forEach(v -> vipFamilies.add(v.value().family()));
        Set<IpAddress> seen = new HashSet<>();
        for (Located<IpAddress> located : service.externalIps().items()) {
            IpAddress address = located.value();
            InetAddressKind kind = InetAddressKind.of(address);
            if (kind != null) {
                problems.report(located, address + " is " + kind.description + " and cannot be an external IP");
                continue;
            }
            if (!vipFamilies.isEmpty() && !vipFamilies.contains(address.family())) {
                problems.report(located, address + " is an " + address.family() + " address but the service has no "
                        + address.family() + " VIP");
                continue;
            }
            Optional<Located<Cidr>> inside = Stream.concat(spec.podCidrs().items().stream(),
                    spec.serviceCidrs().items().stream()).filter(c -> c.value().contains(address)).findFirst();
            if (inside.isPresent()) {
                problems.report(located, address + " is inside " + inside.get().path() + " " + inside.get().value()
                        + "; external IPs are addresses outside the cluster's pod and service ranges");
                continue;
            }
            if (!seen.add(address)) {
                problems.report(located, address + " is listed twice");
                continue;
            }
            String vip = vipOwners.get(address);
            if (vip != null) {
                problems.report(located, address + " is already the VIP " + vip);
                continue;
            }
            for (ServicePort port : ports) {
                String key = address + " " + port.port() + "/" + port.protocol();
                String owner = externalOwners.putIfAbsent(key, located.path());
                if (owner != null) {
                    problems.report(located, "port " + port.port() + "/" + port.protocol() + " on " + address
                            + " is already served by " + owner);
                }
            }
            out.add(address);
        }
        return out;
    }

    /** Addresses that can never be a service's external IP. */
    private enum InetAddressKind {
        UNSPECIFIED("the unspecified address"), LOOPBACK("a loopback address"), LINK_LOCAL("a link-local address"),
        MULTICAST("a multicast address");

        final String description;

        InetAddressKind(String description) {
            this.description = description;
        }

        static InetAddressKind of(IpAddress address) {
            InetAddress a;
            try {
                a = InetAddress.getByName(address.toString());
            } catch (UnknownHostException e) {
                return null; // a literal: never looked up
            }
            return a.isAnyLocalAddress() ? UNSPECIFIED : a.isLoopbackAddress() ? LOOPBACK
                    : a.isLinkLocalAddress() ? LINK_LOCAL : a.isMulticastAddress() ? MULTICAST : null;
        }
    }

    private List<ServicePort> checkPorts(ServiceSpec service, Map<String, String> nodePortOwners) {
        List<ServicePort> ports = new ArrayList<>();
        if (!service.ports().present() || (service.ports().isEmpty() && service.ports().complete())) {
            problems.report(service.ports().position(), service.path() + ".ports", "is missing; a service needs at least one port");
            return ports;
        }
        Map<String, String> seen = new HashMap<>();
        Map<String, String> portNames = new HashMap<>();
        for (Located<ServicePortSpec> located : service.ports().items()) {
            ServicePortSpec port = located.value();
            Protocol protocol = port.protocol().map(Located::value).orElse(Protocol.TCP);
            if (port.name().isPresent()) {
                checkLabel(port.name().get(), "port name");
                String first = portNames.putIfAbsent(port.name().get().value(), port.path());
                if (first != null) {
                    problems.report(port.name().get(), "port name " + port.name().get().value() + " is already used by " + first);
                }
            } else if (service.ports().items().size() > 1) {
                problems.report(port.position(), port.path() + ".name", "is missing; ports of a multi-port service need names");
            }
            if (port.port().isEmpty()) {
                problems.report(port.position(), port.path() + ".port", "is missing; give the port the VIP listens on");
                continue;
            }
            IntRange.check(port.port(), 1, 65535, "", problems);
            IntRange.check(port.targetPort(), 1, 65535, "", problems);
            IntRange.check(port.nodePort(), NODE_PORT_MIN, NODE_PORT_MAX, " (the Kubernetes node port range)", problems);
            int number = port.port().get().value();
            String key = number + "/" + protocol;
            String first = seen.putIfAbsent(key, port.path());
            if (first != null) {
                problems.report(port.port().get(), "port " + key + " is already defined by " + first);
            }
            port.nodePort().ifPresent(nodePort -> {
                String nodeKey = nodePort.value() + "/" + protocol;
                String owner = nodePortOwners.putIfAbsent(nodeKey, nodePort.path());
                if (owner != null) {
                    problems.report(nodePort, "node port " + nodeKey + " is already used by " + owner);
                }
            });
            ports.add(new ServicePort(port.name().map(Located::value).orElse(""), protocol, number,
                    port.targetPort().map(Located::value).orElse(number), port.nodePort().map(Located::value).orElse(0)));
        }
        return ports;
    }

    private List<ServiceBackend> checkBackends(ServiceSpec service, int portCount) {
        List<ServiceBackend> backends = new ArrayList<>();
        Set<IpFamily> vipFamilies = EnumSet.noneOf(IpFamily.class);
        service.vips().items().forEach(v -> vipFamilies.add(v.value().family()));
        Map<String, String> seen = new HashMap<>();
        for (Located<BackendSpec> located : service.backends().items()) {
            BackendSpec backend = located.value();
            if (backend.address().isEmpty()) {
                problems.report(backend.position(), backend.path() + ".address", "is missing; give the backend's IP address");
                continue;
            }
            Located<IpAddress> address = backend.address().get();
            if (!vipFamilies.isEmpty() && !vipFamilies.contains(address.value().family())) {
                problems.report(address, address.value() + " is an " + address.value().family()
                        + " address but the service has no " + address.value().family() + " VIP");
            }
            IntRange.check(backend.port(), 1, 65535, "", problems);
            if (backend.port().isPresent() && portCount > 1) {
                problems.report(backend.port().get(), "a backend port only fits single-port services; "
                        + "set targetPort on each service port instead");
            }
            IntRange.check(backend.weight(), 1, MAX_WEIGHT, " (use ready: false to take a backend out)", problems);
            String key = address.value() + ":" + backend.port().map(Located::value).orElse(0);
            String first = seen.putIfAbsent(key, backend.path());
            if (first != null) {
                problems.report(address, address.value() + " is already a backend (" + first + ")");
            }
            backends.add(new ServiceBackend(address.value(), backend.port().map(Located::value).orElse(0),
                    backend.weight().map(Located::value).orElse(1), backend.ready().map(Located::value).orElse(true),
                    backend.terminating().map(Located::value).orElse(false)));
        }
        return backends;
    }

    private void checkLabel(Located<String> name, String what) {
        if (name.value().length() > 63 || !LABEL.matcher(name.value()).matches()) {
            problems.report(name, "'" + name.value() + "' is not a valid " + what + ": use at most 63 lower-case letters, "
                    + "digits and '-', starting and ending with a letter or digit");
        }
    }
}
