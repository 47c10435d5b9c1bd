package io.podswitch.daemon.kubernetes.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.SessionAffinity;
import io.podswitch.daemon.desired.DesiredEndpoint;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.DesiredServicePort;
import io.podswitch.daemon.desired.ServiceId;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Services × EndpointSlices → {@link DesiredService}, field by field, as kube-proxy reads them; and what is
 * skipped, rejected or left out.
 */
class ServiceTranslatorTest {
    private static final ClusterConfig CLUSTER;

    static {
        try {
            CLUSTER = ConfigLoader.parse("""
                    source: kubernetes
                    ipFamilies: [IPv4, IPv6]
                    podCIDRs: [10.244.0.0/16, "fd00:10:244::/56"]
                    serviceCIDRs: [10.96.0.0/16, "fd00:10:96::/112"]
                    nodeCIDRs: [192.168.1.0/24, "fd00:192:168:1::/64"]
                    node: node-a
                    """, "cluster.yaml", Map.of());
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ServiceTranslator translator = new ServiceTranslator(CLUSTER);

    /** A ClusterIP service "web" in "shop": clusterIPs as given, port http 80/TCP → targetPort. */
    private static ServiceBuilder web(String... clusterIps) {
        return new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIps.length == 0 ? null : clusterIps[0])
                .withClusterIPs(Arrays.asList(clusterIps))
                .addToPorts(new ServicePortBuilder().withName("http").withProtocol("TCP").withPort(80)
                        .withTargetPort(new IntOrString("web")).build())
                .endSpec();
    }

    private static EndpointSlice slice(String name, String family, String portName, Integer port, Endpoint... endpoints) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace("shop").withName(name)
                .addToLabels(ServiceTranslator.SERVICE_NAME, "web").endMetadata()
                .withAddressType(family)
                .addToPorts(new EndpointPortBuilder().withName(portName).withProtocol("TCP").withPort(port).build())
                .withEndpoints(endpoints).build();
    }

    private static Endpoint ep(String address, Boolean ready, Boolean serving, Boolean terminating, String node) {
        EndpointBuilder b = new EndpointBuilder().withAddresses(address).withNodeName(node);
        if (ready != null || serving != null || terminating != null) {
            b.withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating).endConditions();
        }
        return b.build();
    }

    private static Endpoint ep(String address) {
        return ep(address, null, null, null, null);
    }

    private DesiredService serve(Service service, EndpointSlice... slices) {
        ServiceVerdict v = translator.translate(service, List.of(slices));
        return assertInstanceOf(ServiceVerdict.Serve.class, v, v::toString).service();
    }

    private static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    @Test
    void aDualStackServiceWithItsSlicesOfBothFamilies() {
        DesiredService s = serve(web("10.96.0.10", "fd00:10:96::a").build(),
                slice("web-v4", "IPv4", "http", 8080, ep("10.244.1.5", true, true, false, "node-a"), ep("10.244.2.7")),
                slice("web-v6", "IPv6", "http", 8080, ep("fd00:10:244:1::5")));
        assertEquals(new ServiceId("shop", "web"), s.id());
        assertEquals(List.of(ip("10.96.0.10"), ip("fd00:10:96::a")), s.clusterIps());
        DesiredServicePort port = s.ports().getFirst();
        assertEquals("http", port.name());
        assertEquals(Protocol.TCP, port.protocol());
        assertEquals(80, port.port());
        assertEquals(0, port.nodePort());
        assertEquals(List.of(new DesiredEndpoint(ip("10.244.1.5"), 8080, 1, true, true, false, "node-a"),
                new DesiredEndpoint(ip("10.244.2.7"), 8080, 1, true, true, false, null),
                new DesiredEndpoint(ip("fd00:10:244:1::5"), 8080, 1, true, true, false, null)), port.endpoints());
        assertEquals(SessionAffinity.NONE, s.sessionAffinity());
        assertEquals(List.of(), s.externalIps());
        assertEquals(List.of(), s.loadBalancerIps());
    }

    @Test
    void theClusterIpsFollowTheClustersFamilyOrderAndIgnoreOtherFamilies() throws Exception {
        DesiredService v6First = serve(web("fd00:10:96::a", "10.96.0.10").build());
        assertEquals(List.of(ip("10.96.0.10"), ip("fd00:10:96::a")), v6First.clusterIps(), "primary family first");
        ClusterConfig v4Only = ConfigLoader.parse("""
                source: kubernetes
                ipFamilies: [IPv4]
                podCIDRs: [10.244.0.0/16]
                serviceCIDRs: [10.96.0.0/16]
                nodeCIDRs: [192.168.1.0/24]
                node: node-a
                """, "c.yaml", Map.of());
        ServiceVerdict v = new ServiceTranslator(v4Only).translate(web("10.96.0.10", "fd00:10:96::a").build(),
                List.of(slice("web-v6", "IPv6", "http", 8080, ep("fd00:10:244:1::5"))));
        DesiredService s = assertInstanceOf(ServiceVerdict.Serve.class, v).service();
        assertEquals(List.of(ip("10.96.0.10")), s.clusterIps());
        assertEquals(List.of(), s.ports().getFirst().endpoints(), "an IPv6 slice serves no IPv4-only service");
        assertInstanceOf(ServiceVerdict.Ignore.class, new ServiceTranslator(v4Only).translate(web("fd00:10:96::a").build(), List.of()));
        assertEquals(List.of(ip("10.96.0.11")), serve(new ServiceBuilder(web().build()).editSpec().withClusterIP("10.96.0.11")
                .withClusterIPs((List<String>) null).endSpec().build()).clusterIps(), "spec.clusterIP of older objects");
    }

    @Test
    void aNamedTargetPortResolvesPerSliceAndPortsMatchByNameAndProtocol() {
        Service two = web("10.96.0.10").editSpec()
                .addToPorts(new ServicePortBuilder().withName("dns").withProtocol("UDP").withPort(53).withNodePort(30053)
                        .withTargetPort(new IntOrString(5353)).build()).endSpec().build();
        EndpointSlice old = slice("web-old", "IPv4", "http", 8080, ep("10.244.1.5"));
        EndpointSlice moved = slice("web-new", "IPv4", "http", 9090, ep("10.244.2.7")); // the pods' "web" port changed
        EndpointSlice dnsTcp = new EndpointSliceBuilder(slice("web-dns-tcp", "IPv4", "dns", 5353, ep("10.244.1.5")))
                .build(); // TCP: the service's dns port is UDP
        EndpointSlice dnsUdp = new EndpointSliceBuilder(slice("web-dns", "IPv4", "dns", 5353, ep("10.244.3.3")))
                .editFirstPort().withProtocol("UDP").endPort().build();
        DesiredService s = serve(two, old, moved, dnsTcp, dnsUdp);
        DesiredServicePort http = s.ports().get(0);
        assertEquals(List.of(9090, 8080), http.endpoints().stream().map(DesiredEndpoint::port).toList(),
                "each slice's port number is that slice's targetPort");
        DesiredServicePort dns = s.ports().get(1);
        assertEquals(Protocol.UDP, dns.protocol());
        assertEquals(30053, dns.nodePort());
        assertEquals(5353, dns.targetPort(), "a numeric targetPort is kept (podswitch services add-backend reads it)");
        assertEquals(0, http.targetPort(), "a named one is resolved per slice");
        assertEquals(List.of(ip("10.244.3.3")), dns.endpoints().stream().map(DesiredEndpoint::address).toList());
    }

    @Test
    void conditionsAsKubeProxyReadsThemWithAbsentMeaningReadyServingNotTerminating() {
        DesiredService s = serve(web("10.96.0.10").build(), slice("s", "IPv4", "http", 8080,
                ep("10.244.1.1"),                                   // all absent
                ep("10.244.1.2", false, null, null, null),          // not ready, serving absent
                ep("10.244.1.3", false, true, true, null),          // terminating but still serving
                ep("10.244.1.4", false, false, true, null),         // terminating, not serving
                ep("10.244.1.5", null, null, true, null)));         // ready absent while terminating
        List<DesiredEndpoint> e = s.ports().getFirst().endpoints();
        assertEquals(List.of(true, false, false, false, true), e.stream().map(DesiredEndpoint::ready).toList());
        assertEquals(List.of(true, true, true, false, true), e.stream().map(DesiredEndpoint::serving).toList());
        assertEquals(List.of(false, false, true, true, true), e.stream().map(DesiredEndpoint::terminating).toList());
    }

    @Test
    void severalSlicesMergeAndAnEndpointInTwoCountsOnceTheLocalOneWinning() {
        DesiredService s = serve(web("10.96.0.10").build(),
                slice("a", "IPv4", "http", 8080, ep("10.244.1.5", true, true, false, "node-b"), ep("10.244.1.6")),
                slice("b", "IPv4", "http", 8080, ep("10.244.1.5", true, true, false, "node-a"), ep("10.244.1.7")),
                slice("c", "IPv4", "http", 8081, ep("10.244.1.5")));
        List<DesiredEndpoint> e = s.ports().getFirst().endpoints();
        assertEquals(List.of("10.244.1.5/8080@node-a", "10.244.1.6/8080@null", "10.244.1.7/8080@null", "10.244.1.5/8081@null"),
                e.stream().map(d -> d.address() + "/" + d.port() + "@" + d.nodeName()).toList());
    }

    @Test
    void nodePortAffinityTrafficPoliciesExternalAndLoadBalancerIps() {
        Service s = web("10.96.0.10", "fd00:10:96::a").editSpec().withType("LoadBalancer")
                .editFirstPort().withNodePort(30080).endPort()
                .withSessionAffinity("ClientIP").withNewSessionAffinityConfig().withNewClientIP().withTimeoutSeconds(600)
                .endClientIP().endSessionAffinityConfig()
                .withExternalTrafficPolicy("Local").withInternalTrafficPolicy("Local")
                .withExternalIPs("203.0.113.7", "2001:db8::7", "not-an-ip").endSpec()
                .withNewStatus().withNewLoadBalancer()
                .addNewIngress().withIp("198.51.100.1").endIngress()
                .addNewIngress().withIp("198.51.100.2").withIpMode("Proxy").endIngress()
                .addNewIngress().withHostname("lb.example.com").endIngress()
                .endLoadBalancer().endStatus().build();
        ServiceVerdict.Serve v = assertInstanceOf(ServiceVerdict.Serve.class, translator.translate(s, List.of()));
        DesiredService d = v.service();
        assertEquals(30080, d.ports().getFirst().nodePort());
        assertEquals(SessionAffinity.CLIENT_IP, d.sessionAffinity());
        assertEquals(600, d.sessionAffinityTimeoutSeconds());
        assertTrue(d.externalTrafficLocal());
        assertTrue(d.internalTrafficLocal());
        assertEquals(List.of(ip("203.0.113.7"), ip("2001:db8::7")), d.externalIps());
        assertEquals(List.of(ip("198.51.100.1")), d.loadBalancerIps(), "ipMode Proxy: the load balancer terminates it");
        assertTrue(v.problems().stream().anyMatch(p -> p.contains("externalIPs 'not-an-ip'")), v.problems().toString());

        DesiredService defaults = serve(web("10.96.0.10").editSpec().withSessionAffinity("ClientIP")
                .withExternalTrafficPolicy("Local").endSpec().build());
        assertEquals(10800, defaults.sessionAffinityTimeoutSeconds(), "Kubernetes' default ClientIP timeout");
        assertEquals(false, defaults.externalTrafficLocal(), "a ClusterIP-only service has no external traffic");
    }

    @Test
    void headlessExternalNameAndAnotherProxysServicesAreNotProxied() {
        assertInstanceOf(ServiceVerdict.Ignore.class, translator.translate(web("None").build(), List.of()));
        assertInstanceOf(ServiceVerdict.Ignore.class, translator.translate(web().build(), List.of()));
        assertInstanceOf(ServiceVerdict.Ignore.class, translator.translate(web().editSpec().withType("ExternalName")
                .withExternalName("db.example.com").endSpec().build(), List.of()));
        assertInstanceOf(ServiceVerdict.Ignore.class, translator.translate(web("10.96.0.10").editMetadata()
                .addToLabels(ServiceTranslator.SERVICE_PROXY_NAME, "other-proxy").endMetadata().build(), List.of()));
    }

    @Test
    void malformedServicesAreRejectedWithTheReason() {
        assertRejected(web("10.97.0.10").build(), "cluster_ip_outside_service_cidrs",
                "ClusterIP 10.97.0.10 is outside the cluster's serviceCIDRs 10.96.0.0/16");
        assertRejected(web("10.96.0.300").build(), "bad_cluster_ip", "ClusterIP '10.96.0.300'");
        assertRejected(new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata().build(),
                "no_spec", "has no spec");
    }

    /** Rejected with the reason code (the metric label) and a detail sentence containing {@code detail}. */
    private void assertRejected(Service service, String reason, String detail) {
        Skipped why = assertInstanceOf(ServiceVerdict.Reject.class, translator.translate(service, List.of())).why();
        assertEquals(reason, why.reason(), why.detail());
        assertTrue(why.detail().contains(detail), why.detail());
    }

    @Test
    void brokenSlicePartsAreLeftOutAndNamedTheRestServed() {
        List<Endpoint> eps = new ArrayList<>(List.of(ep("10.244.1.5"), ep("10.244.1.999"), ep("fd00:10:244::9"),
                new EndpointBuilder().build()));
        EndpointSlice broken = new EndpointSliceBuilder(slice("s", "IPv4", "http", 8080)).withEndpoints(eps).build();
        EndpointSlice unnamed = slice("u", "IPv4", null, 8080, ep("10.244.1.6"));
        EndpointSlice noNumber = slice("n", "IPv4", "http", null, ep("10.244.1.7"));
        EndpointSlice fqdn = slice("f", "FQDN", "http", 8080, ep("db.example.com"));
        ServiceVerdict v = translator.translate(web("10.96.0.10").build(), List.of(broken, unnamed, noNumber, fqdn));
        ServiceVerdict.Serve serve = assertInstanceOf(ServiceVerdict.Serve.class, v);
        assertEquals(List.of(ip("10.244.1.5")), serve.service().ports().getFirst().endpoints().stream()
                .map(DesiredEndpoint::address).toList());
        String problems = String.join("\n", serve.problems());
        assertTrue(problems.contains("endpoint '10.244.1.999'"), problems);
        assertTrue(problems.contains("endpoint fd00:10:244::9 is not IPv4"), problems);
        assertTrue(problems.contains("slice u: a port without a name (null) is ignored"), problems);
        assertTrue(problems.contains("slice n: port 'http' has no valid number"), problems);
    }
}
