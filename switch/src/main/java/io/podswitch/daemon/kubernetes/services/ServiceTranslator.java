package io.podswitch.daemon.kubernetes.services;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.cidr.IpFormatException;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.SessionAffinity;
import io.podswitch.daemon.desired.DesiredEndpoint;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.DesiredServicePort;
import io.podswitch.daemon.desired.ServiceId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Service and its EndpointSlices → the {@link DesiredService} the data path serves, read the way kube-proxy
 * reads them (pkg/proxy: the service change tracker, the endpoint slice cache):
 *
 * <ul>
 *   <li><b>Not proxied</b>: ExternalName services, headless ones ({@code clusterIP: None}) and those labelled
 *       {@code service.kubernetes.io/service-proxy-name} (another proxy's).</li>
 *   <li><b>ClusterIPs</b>: {@code spec.clusterIPs} (else {@code spec.clusterIP}), one per family, in the
 *       cluster's family order; families the cluster file does not list are left out; an address outside
 *       {@code serviceCIDRs} rejects the service (the file disagrees with kube-apiserver).</li>
 *   <li><b>Ports</b>: name, protocol (TCP when unset), port, nodePort; {@code externalIPs} and the
 *       load-balancer ingress IPs (except {@code ipMode: Proxy}, which the load balancer terminates);
 *       {@code sessionAffinity: ClientIP} with {@code sessionAffinityConfig.clientIP.timeoutSeconds}
 *       (10800 when unset); {@code externalTrafficPolicy: Local} when the service is reachable from outside
 *       (NodePort, LoadBalancer, externalIPs); {@code internalTrafficPolicy: Local}.</li>
 *   <li><b>Endpoints</b>: every slice of the address families the service has, each slice port matched to the
 *       service port of the same name and protocol — the slice's port number is the target port, which
 *       resolves a named {@code targetPort} per slice. Each endpoint's first address; conditions as
 *       kube-proxy: ready and serving absent = true, terminating absent = false; endpoints in several slices
 *       counted once (the one on this node wins).</li>
 * </ul>
 *
 * Pure: any thread.
 */
public final class ServiceTranslator {
    /** The label kube-proxy skips services by: they belong to another proxy. */
    public static final String SERVICE_PROXY_NAME = "service.kubernetes.io/service-proxy-name";
    /** The label that ties an EndpointSlice to its Service. */
    public static final String SERVICE_NAME = "kubernetes.io/service-name";
    /** Kubernetes' default ClientIP affinity timeout: three hours. */
    static final int DEFAULT_AFFINITY_SECONDS = 10800;

    private final ClusterConfig cluster;

    public ServiceTranslator(ClusterConfig cluster) {
        this.cluster = cluster;
    }

    public static ServiceId idOf(Service service) {
        return new ServiceId(Objects.requireNonNullElse(service.getMetadata().getNamespace(), ""),
                service.getMetadata().getName());
    }

    public ServiceVerdict translate(Service service, List<EndpointSlice> slices) {
        ServiceId id = idOf(service);
        ServiceSpec spec = service.getSpec();
        if (spec == null) {
            return new ServiceVerdict.Reject(id, "no_spec", "has no spec");
        }
        Map<String, String> labels = service.getMetadata().getLabels();
        if (labels != null && labels.containsKey(SERVICE_PROXY_NAME)) {
            return new ServiceVerdict.Ignore(id, "labelled " + SERVICE_PROXY_NAME + "=" + labels.get(SERVICE_PROXY_NAME));
        }
        if ("ExternalName".equals(spec.getType())) {
            return new ServiceVerdict.Ignore(id, "type ExternalName");
        }
        List<String> clusterIpTexts = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()
                ? spec.getClusterIPs() : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
        if (clusterIpTexts.isEmpty() || clusterIpTexts.contains("None") || clusterIpTexts.contains("")) {
            return new ServiceVerdict.Ignore(id, "headless (no ClusterIP)");
        }
        Map<IpFamily, IpAddress> vips = new EnumMap<>(IpFamily.class);
        for (String text : clusterIpTexts) {
            IpAddress vip;
            try {
                vip = IpAddress.parse(text);
            } catch (IpFormatException e) {
                return new ServiceVerdict.Reject(id, "bad_cluster_ip", "ClusterIP '" + text + "': " + e.getMessage());
            }
            if (!cluster.hasFamily(vip.family())) {
                continue;
            }
            Cidr range = cluster.serviceCidr(vip.family()).orElseThrow();
            if (!range.contains(vip)) {
                return new ServiceVerdict.Reject(id, "cluster_ip_outside_service_cidrs", "ClusterIP " + vip + " is outside the cluster's serviceCIDRs " + range
                        + " (the cluster file's serviceCIDRs must match kube-apiserver's --service-cluster-ip-range)");
            }
            vips.putIfAbsent(vip.family(), vip);
        }
        if (vips.isEmpty()) {
            return new ServiceVerdict.Ignore(id, "no ClusterIP of the cluster's families " + cluster.ipFamilies());
        }
        List<IpAddress> clusterIps = cluster.ipFamilies().stream().filter(vips::containsKey).map(vips::get).toList();
        List<String> problems = new ArrayList<>();
        List<IpAddress> externalIps = addresses(spec.getExternalIPs(), vips, "externalIPs", problems);
        List<String> ingress = new ArrayList<>();
        if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress i : service.getStatus().getLoadBalancer().getIngress()) {
                if (i.getIp() != null && !"Proxy".equals(i.getIpMode())) {
                    ingress.add(i.getIp());
                }
            }
        }
        List<IpAddress> loadBalancerIps = addresses(ingress, vips, "status.loadBalancer.ingress", problems);

        List<DesiredServicePort> ports = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (ServicePort p : spec.getPorts() == null ? List.<ServicePort>of() : spec.getPorts()) {
            String name = Objects.requireNonNullElse(p.getName(), "");
            Protocol protocol = protocol(p.getProtocol());
            if (protocol == null) {
                problems.add("port " + name + ": unknown protocol " + p.getProtocol());
                continue;
            }
            int port = p.getPort() == null ? 0 : p.getPort();
            if (port < 1 || port > 65535 || seen.contains(name + "/" + protocol)) {
                problems.add("port '" + name + "' " + port + "/" + protocol + " is invalid or repeated");
                continue;
            }
            seen.add(name + "/" + protocol);
            int nodePort = p.getNodePort() == null ? 0 : p.getNodePort();
            ports.add(new DesiredServicePort(name, protocol, port, numericTarget(p.getTargetPort(), port), nodePort,
                    endpoints(name, protocol, vips, slices, problems)));
        }
        boolean clientIp = "ClientIP".equals(spec.getSessionAffinity());
        int timeout = 0;
        if (clientIp) {
            Integer t = spec.getSessionAffinityConfig() == null || spec.getSessionAffinityConfig().getClientIP() == null
                    ? null : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
            timeout = t == null || t < 1 ? DEFAULT_AFFINITY_SECONDS : Math.min(t, 86400);
        }
        boolean external = "NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType()) || !externalIps.isEmpty();
        boolean externalLocal = external && "Local".equals(spec.getExternalTrafficPolicy());
        boolean internalLocal = "Local".equals(spec.getInternalTrafficPolicy());
        return new ServiceVerdict.Serve(new DesiredService(id, clusterIps, externalIps, loadBalancerIps, ports,
                clientIp ? SessionAffinity.CLIENT_IP : SessionAffinity.NONE, timeout, externalLocal, internalLocal), problems);
    }

    /** The numeric targetPort (the API defaults it to the port); 0 for a named one, resolved per slice instead. */
    private static int numericTarget(IntOrString target, int port) {
        if (target == null) {
            return port;
        }
        return target.getIntVal() != null ? target.getIntVal() : 0;
    }

    private static Protocol protocol(String text) {
        if (text == null) {
            return Protocol.TCP;
        }
        return switch (text) {
            case "TCP" -> Protocol.TCP;
            case "UDP" -> Protocol.UDP;
            case "SCTP" -> Protocol.SCTP;
            default -> null;
        };
    }

    /** Addresses of the service's families (others are another proxy's concern, as in kube-proxy). */
    private static List<IpAddress> addresses(List<String> texts, Map<IpFamily, IpAddress> vips, String field,
                                             List<String> problems) {
        List<IpAddress> out = new ArrayList<>();
        for (String text : texts == null ? List.<String>of() : texts) {
            try {
                IpAddress a = IpAddress.parse(text);
                if (vips.containsKey(a.family()) && !out.contains(a)) {
                    out.add(a);
                }
            } catch (IpFormatException e) {
                problems.add(field + " '" + text + "': " + e.getMessage());
            }
        }
        return out;
    }

    /** The endpoints of one service port, merged over the slices, de-duplicated by (address, port). */
    private List<DesiredEndpoint> endpoints(String portName, Protocol protocol, Map<IpFamily, IpAddress> vips,
                                            List<EndpointSlice> slices, List<String> problems) {
        Map<String, DesiredEndpoint> byAddressPort = new LinkedHashMap<>();
        List<EndpointSlice> ordered = new ArrayList<>(slices);
        ordered.sort(Comparator.comparing(s -> s.getMetadata().getName())); // stable whatever the cache order
        for (EndpointSlice slice : ordered) {
            IpFamily family = switch (Objects.requireNonNullElse(slice.getAddressType(), "")) {
                case "IPv4" -> IpFamily.IPV4;
                case "IPv6" -> IpFamily.IPV6;
                default -> null; // FQDN slices are not proxied
            };
            if (family == null || !vips.containsKey(family) || slice.getPorts() == null || slice.getEndpoints() == null) {
                continue;
            }
            for (EndpointPort port : slice.getPorts()) {
                if (port.getName() == null) {
                    problems.add("slice " + slice.getMetadata().getName() + ": a port without a name (null) is ignored");
                    continue;
                }
                if (!port.getName().equals(portName) || protocol(port.getProtocol()) != protocol) {
                    continue;
                }
                if (port.getPort() == null || port.getPort() < 1 || port.getPort() > 65535) {
                    problems.add("slice " + slice.getMetadata().getName() + ": port '" + portName + "' has no valid number");
                    continue;
                }
                for (Endpoint e : slice.getEndpoints()) {
                    DesiredEndpoint endpoint = endpoint(slice, e, family, port.getPort(), problems);
                    if (endpoint == null) {
                        continue;
                    }
                    String key = endpoint.address() + "/" + endpoint.port();
                    DesiredEndpoint first = byAddressPort.get(key);
                    if (first == null || (isLocal(endpoint) && !isLocal(first))) {
                        byAddressPort.put(key, endpoint);
                    }
                }
            }
        }
        return List.copyOf(byAddressPort.values());
    }

    private boolean isLocal(DesiredEndpoint e) {
        return cluster.thisNodeName().equals(e.nodeName());
    }

    private static DesiredEndpoint endpoint(EndpointSlice slice, Endpoint e, IpFamily family, int port, List<String> problems) {
        if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
            return null; // kube-proxy: "ignoring invalid endpoint port with empty address"
        }
        String text = e.getAddresses().getFirst();
        IpAddress address;
        try {
            address = IpAddress.parse(text);
        } catch (IpFormatException ex) {
            problems.add("slice " + slice.getMetadata().getName() + ": endpoint '" + text + "': " + ex.getMessage());
            return null;
        }
        if (address.family() != family) {
            problems.add("slice " + slice.getMetadata().getName() + ": endpoint " + address + " is not " + family
                    + " as the slice's addressType says");
            return null;
        }
        EndpointConditions c = e.getConditions();
        boolean ready = c == null || c.getReady() == null || c.getReady();
        boolean serving = c == null || c.getServing() == null || c.getServing();
        boolean terminating = c != null && c.getTerminating() != null && c.getTerminating();
        return new DesiredEndpoint(address, port, 1, ready, serving, terminating, e.getNodeName());
    }
}
