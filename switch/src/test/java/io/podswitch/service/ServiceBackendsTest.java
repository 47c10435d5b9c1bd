package io.podswitch.service;

import io.podswitch.packet.Ip4;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Endpoint conditions with kube-proxy's meaning (CategorizeEndpoints), tables built only when used, sized by
 * their endpoints, and which table each kind of key uses under each traffic policy.
 */
class ServiceBackendsTest {
    static final int TCP = 6;

    /** An endpoint with the API's three conditions. */
    static ServiceEndpoint ep(String address, boolean ready, boolean serving, boolean terminating, boolean local) {
        return new ServiceEndpoint(FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(Ip4.parse(address)), 8080, 1, ready,
            serving, terminating, local);
    }

    static java.util.Set<Integer> used(MaglevTable table) {
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (int s = 0; s < table.size(); s++) {
            seen.add(table.slot(s));
        }
        return seen;
    }

    @Test
    void readyEndpointsServeAndServingTerminatingOnesOnlyWhenNoneIsReady() {
        ServiceEndpoint ready = ep("10.0.0.1", true, true, false, false);
        ServiceEndpoint draining = ep("10.0.0.2", false, true, true, false);
        ServiceEndpoint gone = ep("10.0.0.3", false, false, true, false);
        ServiceEndpoint notReady = ep("10.0.0.4", false, false, false, false);
        ServiceBackends b = ServiceBackends.of(List.of(ready, draining, gone, notReady), true, false);
        assertEquals(java.util.Set.of(0), used(b.cluster()));
        assertTrue(b.cluster().contains(0));
        assertFalse(b.cluster().contains(1));

        ServiceBackends rolling = ServiceBackends.of(List.of(draining, gone, notReady), true, false);
        assertEquals(java.util.Set.of(0), used(rolling.cluster()), "no ready endpoint: the serving terminating one");
        assertTrue(rolling.anyUsable());

        ServiceBackends dead = ServiceBackends.of(List.of(gone, notReady), true, false);
        assertTrue(dead.cluster().isEmpty(), "terminating but not serving, or not ready: never");
        assertFalse(dead.anyUsable());
        // Existing flows may stay on any endpoint still listed with some condition (not on one gone for good).
        assertEquals(-1, dead.indexOfServing(0, FlowHash.ipv4MappedLow(Ip4.parse("10.0.0.4")), 8080));
        assertEquals(0, dead.indexOfServing(0, FlowHash.ipv4MappedLow(Ip4.parse("10.0.0.3")), 8080));
    }

    @Test
    void theLocalTableFallsBackOnItsOwn() {
        ServiceEndpoint remoteReady = ep("10.0.1.1", true, true, false, false);
        ServiceEndpoint localDraining = ep("10.0.0.2", false, true, true, true);
        ServiceEndpoint localGone = ep("10.0.0.3", false, false, false, true);
        ServiceBackends b = ServiceBackends.of(List.of(remoteReady, localDraining, localGone), true, true);
        assertEquals(java.util.Set.of(0), used(b.cluster()), "the cluster table has a ready endpoint");
        assertEquals(java.util.Set.of(1), used(b.local()), "no local ready endpoint: the local serving terminating one");

        ServiceBackends noLocal = ServiceBackends.of(List.of(remoteReady), false, true);
        assertNull(noLocal.cluster(), "built only when a key uses it");
        assertTrue(noLocal.local().isEmpty());
        assertTrue(noLocal.anyUsable(), "drop, not reject: the service has endpoints elsewhere");
    }

    @Test
    void tablesAreSizedByTheirEndpoints() {
        assertEquals(4093, MaglevTable.sizeFor(0));
        assertEquals(4093, MaglevTable.sizeFor(255));
        assertEquals(8191, MaglevTable.sizeFor(256));
        assertEquals(16381, MaglevTable.sizeFor(1000));
        assertEquals(1048573, MaglevTable.sizeFor(65535));
        ServiceBackends three = ServiceBackends.of(List.of(ep("10.0.0.1", true, true, false, false),
            ep("10.0.0.2", true, true, false, false), ep("10.0.0.3", true, true, false, true)), true, true);
        assertEquals(4093, three.cluster().size());
        assertEquals(4093, three.cluster().slotBytes(), "one byte per slot up to 256 endpoints");
        java.util.List<ServiceEndpoint> many = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(ep("10.0." + (i >> 8) + "." + (i & 0xff), true, true, false, false));
        }
        ServiceBackends large = ServiceBackends.of(many, true, false);
        assertEquals(8191, large.cluster().size());
        assertEquals(2 * 8191, large.cluster().slotBytes());
        assertEquals(300, used(large.cluster()).size(), "every endpoint has slots");
    }

    @Test
    void eachKindOfKeyUsesTheTableItsPolicyNames() {
        ServiceEndpoint remote = ep("10.0.1.1", true, true, false, false);
        ServiceEndpoint local = ep("10.0.0.2", true, true, false, true);
        ServiceBackends both = ServiceBackends.of(List.of(remote, local), true, true);
        long vip = FlowHash.ipv4MappedLow(Ip4.parse("10.96.0.1"));

        ServiceEntry itpLocal = new ServiceEntry(0, "c", ServiceKind.CLUSTER_IP, TCP, 0, vip, 80, both, true, false, 0, 1);
        assertSame(both.local(), itpLocal.internalTable());
        assertSame(both.local(), itpLocal.externalTable(), "ClusterIP traffic has one policy whatever its source");
        ServiceEntry itpCluster = new ServiceEntry(0, "c", ServiceKind.CLUSTER_IP, TCP, 0, vip, 80, both, false, true, 0, 1);
        assertSame(both.cluster(), itpCluster.internalTable());

        ServiceEntry nodePort = new ServiceEntry(1, "n", ServiceKind.NODE_PORT, TCP, 0, ServiceTable.NODE_PORT4_LOW,
            30080, both, true, true, 0, 1);
        assertSame(both.local(), nodePort.externalTable());
        ServiceEntry external = new ServiceEntry(2, "e", ServiceKind.EXTERNAL_IP, TCP, 0,
            FlowHash.ipv4MappedLow(Ip4.parse("203.0.113.7")), 80, both, false, true, 0, 1);
        assertSame(both.local(), external.externalTable(), "from outside: externalTrafficPolicy");
        assertSame(both.cluster(), external.internalTable(), "from pods and the host: every endpoint");
        ServiceEntry externalCluster = new ServiceEntry(2, "e", ServiceKind.EXTERNAL_IP, TCP, 0,
            FlowHash.ipv4MappedLow(Ip4.parse("203.0.113.7")), 80, both, false, false, 0, 1);
        assertSame(both.cluster(), externalCluster.externalTable());

        ServiceBackends clusterOnly = ServiceBackends.of(List.of(remote), true, false);
        var missing = assertThrows(IllegalArgumentException.class, () -> new ServiceEntry(0, "c",
            ServiceKind.CLUSTER_IP, TCP, 0, vip, 80, clusterOnly, true, false, 0, 1));
        assertTrue(missing.getMessage().contains("local table was not built"), missing.getMessage());
    }

    static ServiceEndpoint at(String address, int port) {
        return new ServiceEndpoint(FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(Ip4.parse(address)), port, 1, true,
            true, false, address.endsWith(".1"));
    }

    @Test
    void portsServedByTheSamePodsShareTheirTables() {
        ServiceBackends http = ServiceBackends.of(List.of(at("10.0.0.1", 8080), at("10.0.0.2", 8080)), true, true);
        List<ServiceEndpoint> httpsEndpoints = List.of(at("10.0.0.1", 8443), at("10.0.0.2", 8443));
        ServiceBackends https = ServiceBackends.of(httpsEndpoints, true, true, List.of(http));
        assertSame(http.cluster(), https.cluster(), "built once for both ports");
        assertSame(http.local(), https.local());
        assertEquals(8443, https.port(0), "each port keeps its own target ports");
        ServiceBackends fresh = ServiceBackends.of(httpsEndpoints, true, true);
        for (int s = 0; s < fresh.cluster().size(); s++) {
            assertEquals(fresh.cluster().slot(s), https.cluster().slot(s), "what a separate build gives");
        }
        ServiceBackends otherPods = ServiceBackends.of(List.of(at("10.0.0.1", 8443), at("10.0.0.3", 8443)), true, true,
            List.of(http));
        assertFalse(otherPods.cluster() == http.cluster(), "other pods: built anew");
        ServiceBackends draining = ServiceBackends.of(List.of(at("10.0.0.1", 8443),
            new ServiceEndpoint(0, FlowHash.ipv4MappedLow(Ip4.parse("10.0.0.2")), 8443, 1, false, true, true, false)),
            true, true, List.of(http));
        assertFalse(draining.cluster() == http.cluster(), "other conditions: built anew");
        // One address twice (two ports of one pod in one list): the turn order looks at the ports, no sharing.
        ServiceBackends twice = ServiceBackends.of(List.of(at("10.0.0.1", 8080), at("10.0.0.1", 9090)), true, false);
        ServiceBackends twiceOther = ServiceBackends.of(List.of(at("10.0.0.1", 9999), at("10.0.0.1", 1000)), true,
            false, List.of(twice));
        assertFalse(twice.cluster() == twiceOther.cluster());
    }
}
