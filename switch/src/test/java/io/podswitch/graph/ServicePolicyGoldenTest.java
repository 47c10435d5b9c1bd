package io.podswitch.graph;

import io.podswitch.packet.Ip6;
import io.podswitch.service.FlowHash;
import io.podswitch.service.ServiceBackends;
import io.podswitch.service.ServiceEndpoint;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.podswitch.graph.ServiceFrames.SYN;
import static io.podswitch.graph.ServiceFrames.ACK;
import static io.podswitch.graph.ServiceFrames.assertChecksumsValid;
import static io.podswitch.graph.ServiceFrames.tcp4;
import static io.podswitch.graph.ServiceFrames.udp6;
import static io.podswitch.graph.ServiceGoldenTest.POD;
import static io.podswitch.graph.ServiceGoldenTest.POD2;
import static io.podswitch.graph.ServiceGoldenTest.fromPod;
import static io.podswitch.graph.ServiceGoldenTest.fromRouter;
import static io.podswitch.graph.ServiceGoldenTest.toRouter;
import static io.podswitch.graph.ServiceHarness.POD_PORT;
import static io.podswitch.graph.ServiceHarness.UPLINK;
import static io.podswitch.graph.ServiceHarness.ep4;
import static io.podswitch.graph.ServiceHarness.ep6;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traffic policies in the data path (kube-proxy's semantics): {@code internalTrafficPolicy: Local} for
 * ClusterIP traffic, {@code externalTrafficPolicy: Local} for external IPs reached from outside, pods
 * short-circuited to every endpoint, drop (not reject) when a Local policy has no endpoint here, and SNAT
 * to the uplink's address for an external IP served by another node. In the harness 10.0.0.x / fd00::x are
 * this node's pods and 172.16.x / 2001:db8::x endpoints behind the router (other nodes).
 */
class ServicePolicyGoldenTest {
    static final int CLIENT = ip4("172.16.9.9");
    static final int NODE = ip4("192.168.1.1");
    static final int EXTERNAL = ip4("203.0.113.7");
    static final int REMOTE = ip4("172.16.0.5");

    ServiceHarness h = new ServiceHarness();
    private int generation = 100;

    @AfterEach
    void close() {
        h.close();
    }

    private ServiceEntry put(int id, ServiceKind kind, int protocol, String address, int port,
                             List<ServiceEndpoint> endpoints, boolean internalLocal, boolean externalLocal) {
        long high;
        long low;
        if (address.contains(":")) {
            long[] a = Ip6.parse(address);
            high = a[0];
            low = a[1];
        } else {
            high = FlowHash.IPV4_MAPPED_HIGH;
            low = FlowHash.ipv4MappedLow(ip4(address));
        }
        ServiceEntry e = new ServiceEntry(id, "svc" + id, kind, protocol, high, low, port,
                ServiceBackends.of(endpoints, true, true), internalLocal, externalLocal, 0, generation++);
        h.table.put(e);
        return e;
    }

    /** Where {@code connections} new connections from {@code port} end up (destination address of the output). */
    private Set<Integer> destinations(int worker, int inPort, int src, int dst, int dport, int connections) {
        Set<Integer> seen = new TreeSet<>();
        for (int i = 0; i < connections; i++) {
            byte[] ip = tcp4(src, dst, 64, 20000 + i, dport, SYN, 1, 0, new byte[0]);
            List<ServiceHarness.Out> out = h.send(worker, inPort, inPort == POD_PORT ? fromPod(ip) : fromRouter(ip));
            for (ServiceHarness.Out o : out) {
                assertChecksumsValid(o.frame());
                seen.add(ByteBuffer.wrap(o.frame(), 30, 4).getInt());
            }
        }
        return seen;
    }

    /**
     * An external IP with externalTrafficPolicy Local, one local endpoint and two remote: a client from
     * outside arriving on {@code inPort} reaches only the local one and keeps its address; POD arriving
     * on the pod port is short-circuited to every endpoint.
     */
    private void assertLocalPolicyFromOutsideAndShortCircuitFromInside(int worker, int inPort) {
        put(0, ServiceKind.EXTERNAL_IP, 6, "203.0.113.7", 80, List.of(ep4("10.0.0.20", 8080), ep4("172.16.0.5", 8080),
                ep4("172.16.0.6", 8080)), false, true);
        assertEquals(Set.of(POD2), destinations(worker, inPort, CLIENT, EXTERNAL, 80, 30), "from outside: local only");
        byte[] syn = tcp4(CLIENT, EXTERNAL, 64, 5555, 80, SYN, 1, 0, new byte[0]);
        byte[] in = h.sendExpectOne(worker, inPort, inPort == POD_PORT ? fromPod(syn) : fromRouter(syn), POD_PORT);
        assertEquals(CLIENT, ByteBuffer.wrap(in, 26, 4).getInt(), "Local keeps the client's address");
        assertEquals(Set.of(POD2, REMOTE, ip4("172.16.0.6")), destinations(0, POD_PORT, POD, EXTERNAL, 80, 60),
                "from inside: short-circuited to every endpoint");
    }

    @Test
    void internalTrafficPolicyLocalKeepsClusterIpTrafficOnThisNode() {
        put(0, ServiceKind.CLUSTER_IP, 6, "10.96.0.10", 80, List.of(ep4("10.0.0.20", 8080), ep4("172.16.0.5", 8080)),
                true, false);
        assertEquals(Set.of(POD2), destinations(0, POD_PORT, POD, ip4("10.96.0.10"), 80, 40),
                "only the local endpoint");
        // Endpoints elsewhere only: dropped (kube-proxy: drop), counted; no RST.
        put(0, ServiceKind.CLUSTER_IP, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080)), true, false);
        assertEquals(Set.of(), destinations(0, POD_PORT, POD, ip4("10.96.0.10"), 80, 5));
        assertEquals(5, h.counter(0, "ip4-service.no_local_backend"));
        assertEquals(0, h.counter(0, "ip4-service.no_backend_rst"));
        // No endpoint anywhere: rejected as before.
        put(0, ServiceKind.CLUSTER_IP, 6, "10.96.0.10", 80, List.of(), true, false);
        assertEquals(Set.of(POD), destinations(0, POD_PORT, POD, ip4("10.96.0.10"), 80, 1), "a RST back to the pod");
        assertEquals(1, h.counter(0, "ip4-service.no_backend_rst"));
    }

    @Test
    void externalIpFromOutsideFollowsTheExternalPolicyAndPodsReachEveryEndpoint() {
        assertLocalPolicyFromOutsideAndShortCircuitFromInside(1, UPLINK);
        // No local endpoint: dropped from outside, still served to pods.
        put(0, ServiceKind.EXTERNAL_IP, 6, "203.0.113.7", 80, List.of(ep4("172.16.0.5", 8080)), false, true);
        assertEquals(Set.of(), destinations(1, UPLINK, CLIENT, EXTERNAL, 80, 3));
        assertEquals(3, h.counter(1, "ip4-service.no_local_backend"));
        assertEquals(Set.of(REMOTE), destinations(0, POD_PORT, POD, EXTERNAL, 80, 3));
    }

    @Test
    void externalIpServedElsewhereIsSnatedToTheUplinkAddressAndBack() {
        put(0, ServiceKind.EXTERNAL_IP, 6, "203.0.113.7", 80, List.of(ep4("172.16.0.5", 8080)), false, false);
        ServiceGoldenTest.expect(toRouter(tcp4(NODE, REMOTE, 63, 5555, 8080, SYN, 1, 0, new byte[0])),
                h.sendExpectOne(1, UPLINK, fromRouter(tcp4(CLIENT, EXTERNAL, 64, 5555, 80, SYN, 1, 0, new byte[0])),
                        UPLINK));
        ServiceGoldenTest.expect(toRouter(tcp4(EXTERNAL, CLIENT, 63, 80, 5555, SYN | ACK, 3, 2, new byte[0])),
                h.sendExpectOne(0, UPLINK, fromRouter(tcp4(REMOTE, NODE, 64, 8080, 5555, SYN | ACK, 3, 2, new byte[0])),
                        UPLINK));
        assertEquals(1, h.counter(1, "service.node_port_snat"));
        // A pod's connection to the same external IP keeps its address (the backend answers through the switch).
        byte[] fromPodOut = h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, EXTERNAL, 64, 6000, 80, SYN, 1, 0,
                new byte[0])), UPLINK);
        assertEquals(POD, ByteBuffer.wrap(fromPodOut, 26, 4).getInt());
    }

    @Test
    void externalIpOverIpv6IsSnatedToTheUplinksIpv6Address() {
        byte[] client = ip6("2001:db8:9::9");
        byte[] external = ip6("2001:db8:ff::7");
        byte[] node = ip6("fd01::1");
        byte[] backend = ip6("2001:db8::5");
        put(0, ServiceKind.EXTERNAL_IP, 17, "2001:db8:ff::7", 53, List.of(ep6("2001:db8::5", 5353)), false, false);
        byte[] data = bytes(12, 3);
        ServiceGoldenTest.expect(toRouter(udp6(node, backend, 63, 4444, 5353, data)),
                h.sendExpectOne(1, UPLINK, fromRouter(udp6(client, external, 64, 4444, 53, data)), UPLINK));
        ServiceGoldenTest.expect(toRouter(udp6(external, client, 63, 53, 4444, data)),
                h.sendExpectOne(0, UPLINK, fromRouter(udp6(backend, node, 64, 5353, 4444, data)), UPLINK));
    }

    /**
     * {@code attach: udp}: the node's kernel routes an external IP to the host TAP and forwards what it
     * receives for it. On the host port only the kernel side's own address (here 10.0.0.10) is the node
     * itself; any other source came from outside and meets the external policy, and a remote endpoint's
     * flow is SNATed to the host port's address (the pod gateway) so its reply comes back through this node.
     */
    @Test
    void externalIpForwardedByTheNodesKernelToTheHostPortCountsAsFromOutside() {
        h.close();
        h = new ServiceHarness(4096, true);
        // From CLIENT through the host port: from outside; from POD (here the node's own address): inside.
        assertLocalPolicyFromOutsideAndShortCircuitFromInside(0, POD_PORT);

        put(0, ServiceKind.EXTERNAL_IP, 6, "203.0.113.7", 80, List.of(ep4("172.16.0.5", 8080)), false, false);
        int gateway = ip4("10.0.0.1");
        ServiceGoldenTest.expect(toRouter(tcp4(gateway, REMOTE, 63, 6666, 8080, SYN, 1, 0, new byte[0])),
                h.sendExpectOne(0, POD_PORT, fromPod(tcp4(CLIENT, EXTERNAL, 64, 6666, 80, SYN, 1, 0, new byte[0])),
                        UPLINK));
        byte[] reply = h.sendExpectOne(1, UPLINK, fromRouter(tcp4(REMOTE, gateway, 64, 8080, 6666, SYN | ACK, 3, 2,
                new byte[0])), UPLINK);
        assertEquals(EXTERNAL, ByteBuffer.wrap(reply, 26, 4).getInt(), "un-NATed: from the external IP ...");
        assertEquals(CLIENT, ByteBuffer.wrap(reply, 30, 4).getInt(), "... to the client");
        assertChecksumsValid(reply);
    }

    @Test
    void aFlowPinnedBeforeAPolicyChangeKeepsItsBackend() {
        put(0, ServiceKind.CLUSTER_IP, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080)), false, false);
        byte[] first = h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, ip4("10.96.0.10"), 64, 7000, 80, SYN, 1, 0,
                new byte[0])), UPLINK);
        assertEquals(REMOTE, ByteBuffer.wrap(first, 30, 4).getInt());
        // internalTrafficPolicy becomes Local, a local endpoint appears: the established connection stays.
        put(0, ServiceKind.CLUSTER_IP, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080), ep4("10.0.0.20", 8080)),
                true, false);
        byte[] next = h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, ip4("10.96.0.10"), 64, 7000, 80, ACK, 2, 1,
                new byte[0])), UPLINK);
        assertArrayEquals(ByteBuffer.allocate(4).putInt(REMOTE).array(), java.util.Arrays.copyOfRange(next, 30, 34));
        assertEquals(Set.of(POD2), destinations(0, POD_PORT, POD, ip4("10.96.0.10"), 80, 10), "new ones go local");
        assertTrue(h.counter(0, "service.pinned") >= 1);
    }
}
