package io.podswitch.daemon.services;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.SessionAffinity;
import io.podswitch.daemon.desired.DesiredEndpoint;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.DesiredServicePort;
import io.podswitch.daemon.desired.ServiceId;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ServiceManager on the desired-state contract, as the Kubernetes source drives it. */
class ServiceManagerDesiredTest {
    static final int TCP = 6;
    static final int UDP = 17;
    static final ServiceId WEB = new ServiceId("default", "web");
    static final ServiceId DB = new ServiceId("prod", "db");

    static DesiredEndpoint ep(String address, int port, String node) {
        return new DesiredEndpoint(IpAddress.parse(address), port, 1, true, true, false, node);
    }

    static DesiredEndpoint ep(String address, int port, boolean ready, boolean serving, boolean terminating) {
        return new DesiredEndpoint(IpAddress.parse(address), port, 1, ready, serving, terminating, "node-b");
    }

    static DesiredServicePort port(String name, Protocol protocol, int port, int nodePort, DesiredEndpoint... endpoints) {
        return new DesiredServicePort(name, protocol, port, nodePort, List.of(endpoints));
    }

    static DesiredService service(ServiceId id, List<String> clusterIps, List<String> externalIps, List<String> lbIps,
                                  boolean etpLocal, boolean itpLocal, DesiredServicePort... ports) {
        return new DesiredService(id, addresses(clusterIps), addresses(externalIps), addresses(lbIps), List.of(ports),
            SessionAffinity.NONE, 0, etpLocal, itpLocal);
    }

    static DesiredService web(DesiredEndpoint... endpoints) {
        return service(WEB, List.of("10.96.0.10", "fd00:96::10"), List.of(), List.of(), false, false,
            port("http", Protocol.TCP, 80, 0, endpoints));
    }

    static List<IpAddress> addresses(List<String> text) {
        List<IpAddress> out = new ArrayList<>();
        for (String t : text) {
            out.add(IpAddress.parse(t));
        }
        return out;
    }

    static ServiceEntry v4(ServiceTable t, int protocol, String address, int port) {
        return t.find4(protocol, Ip4.parse(address), port);
    }

    static ServiceEntry v6(ServiceTable t, int protocol, String address, int port) {
        long[] a = Ip6.parse(address);
        return t.find(protocol, a[0], a[1], port);
    }

    static ServiceManager manager(ServiceTable table) {
        ServiceManager m = new ServiceManager(table);
        m.setLocality("node-a", List.of(Cidr.parse("10.244.0.0/24"), Cidr.parse("fd00:244::/64")));
        return m;
    }

    @Test
    void applyRemoveAndTheirCostStaysWithTheService() {
        ServiceTable table = new ServiceTable(1024, 1);
        ServiceManager m = manager(table);
        assertEquals(new ServiceManager.Change(2, 0, 0), m.apply(web(ep("10.244.1.5", 8080, "node-b"),
            ep("fd00:244:1::5", 8080, "node-b"))));
        assertEquals(new ServiceManager.Change(1, 0, 0), m.apply(service(DB, List.of("10.96.0.20"), List.of(), List.of(),
            false, false, port("", Protocol.TCP, 5432, 0, ep("10.244.1.9", 5432, "node-b")))));
        ServiceEntry db = v4(table, TCP, "10.96.0.20", 5432);
        ServiceEntry web6 = v6(table, TCP, "fd00:96::10", 80);
        assertEquals("prod/db:5432:v4", db.name());

        // A change to one family of web: only that key is rebuilt; db is not even looked at.
        assertEquals(new ServiceManager.Change(0, 1, 0), m.apply(web(ep("10.244.1.5", 8080, "node-b"),
            ep("10.244.2.5", 8080, "node-c"), ep("fd00:244:1::5", 8080, "node-b"))));
        assertEquals(2, v4(table, TCP, "10.96.0.10", 80).backendCount());
        assertSame(web6, v6(table, TCP, "fd00:96::10", 80), "the unchanged IPv6 key keeps its entry");
        assertSame(db, v4(table, TCP, "10.96.0.20", 5432));
        assertEquals(ServiceManager.Change.NONE, m.apply(web(ep("10.244.1.5", 8080, "node-b"),
            ep("10.244.2.5", 8080, "node-c"), ep("fd00:244:1::5", 8080, "node-b"))), "given again unchanged");

        assertEquals(new ServiceManager.Change(0, 0, 2), m.remove(WEB));
        assertNull(v4(table, TCP, "10.96.0.10", 80));
        assertEquals(ServiceManager.Change.NONE, m.remove(WEB), "unknown: nothing to do");
        assertEquals(Set.of(DB), m.ids());
        assertEquals(1, table.size());
    }

    @Test
    void conflictsAndInvalidServicesChangeNothing() {
        ServiceTable table = new ServiceTable(1024, 1);
        ServiceManager m = manager(table);
        m.apply(web(ep("10.244.1.5", 8080, "node-b")));
        ServiceEntry before = v4(table, TCP, "10.96.0.10", 80);
        DesiredService thief = service(DB, List.of("10.96.0.10"), List.of(), List.of(), false, false,
            port("", Protocol.TCP, 80, 0));
        var e = assertThrows(IllegalArgumentException.class, () -> m.apply(thief));
        assertTrue(e.getMessage().contains("default/web and prod/db both claim TCP port 80 on 10.96.0.10"), e.getMessage());
        DesiredService nodePort = service(DB, List.of("10.96.0.20"), List.of(), List.of(), false, false,
            port("", Protocol.TCP, 5432, 30080));
        m.apply(nodePort);
        DesiredService samePort = service(new ServiceId("x", "y"), List.of("10.96.0.30"), List.of(), List.of(), false,
            false, port("", Protocol.TCP, 80, 30080));
        var np = assertThrows(IllegalArgumentException.class, () -> m.apply(samePort));
        assertTrue(np.getMessage().contains("TCP node port 30080 (IPv4)"), np.getMessage());

        var weight = assertThrows(IllegalArgumentException.class, () -> m.apply(web(new DesiredEndpoint(
            IpAddress.parse("10.244.1.6"), 8080, 0, true, true, false, null))));
        assertTrue(weight.getMessage().contains("weight must be in 1..256"), weight.getMessage());
        var headless = assertThrows(IllegalArgumentException.class, () -> m.apply(service(WEB, List.of(), List.of(),
            List.of(), false, false, port("", Protocol.TCP, 80, 0))));
        assertTrue(headless.getMessage().contains("no ClusterIP"), headless.getMessage());
        assertSame(before, v4(table, TCP, "10.96.0.10", 80));

        // replaceAll is all or nothing: one bad service and nothing moves.
        List<DesiredService> batch = List.of(web(), thief);
        assertThrows(IllegalArgumentException.class, () -> m.replaceAll(batch));
        assertSame(before, v4(table, TCP, "10.96.0.10", 80));
        assertNotNull(v4(table, TCP, "10.96.0.20", 5432));
        // ... but a key another service gives up in the same batch is free.
        assertEquals(new ServiceManager.Change(1, 0, 4), m.replaceAll(List.of(thief)), "web's two keys and db's two");
        assertEquals("prod/db:80:v4", v4(table, TCP, "10.96.0.10", 80).name());
        assertNull(table.find(TCP, 0, ServiceTable.NODE_PORT4_LOW, 30080));
    }

    @Test
    void externalAndLoadBalancerIpsShareTheirPortsTablesAndFollowTheFamily() {
        ServiceTable table = new ServiceTable(1024, 1);
        ServiceManager m = manager(table);
        DesiredService lb = service(WEB, List.of("10.96.0.10"), List.of("203.0.113.7", "2001:db8::7"),
            List.of("198.51.100.9", "203.0.113.7"), true, false,
            port("http", Protocol.TCP, 80, 30080, ep("10.244.0.5", 8080, "node-a"), ep("10.244.1.5", 8080, "node-b")));
        assertEquals(new ServiceManager.Change(4, 0, 0), m.apply(lb), "ClusterIP, node port, two external IPs (v4 only)");
        ServiceEntry clusterIp = v4(table, TCP, "10.96.0.10", 80);
        ServiceEntry external = v4(table, TCP, "203.0.113.7", 80);
        ServiceEntry balancer = v4(table, TCP, "198.51.100.9", 80);
        ServiceEntry nodePort = table.find(TCP, 0, ServiceTable.NODE_PORT4_LOW, 30080);
        assertEquals(ServiceKind.EXTERNAL_IP, external.kind());
        assertEquals("default/web:http:v4:external:203.0.113.7", external.name());
        assertSame(clusterIp.backends(), external.backends(), "one set of tables per port and family");
        assertSame(clusterIp.backends(), nodePort.backends());
        assertSame(clusterIp.backends(), balancer.backends());
        assertNotNull(clusterIp.backends().local(), "externalTrafficPolicy: Local with external keys: local table");
        assertSame(clusterIp.backends().local(), external.externalTable());
        assertSame(clusterIp.backends().cluster(), external.internalTable());
        assertNull(v6(table, TCP, "2001:db8::7", 80), "no IPv6 ClusterIP: its IPv6 external IP is not served");

        // Without external keys and with cluster policies there is no local table at all.
        m.apply(service(DB, List.of("10.96.0.20"), List.of(), List.of(), true, false,
            port("", Protocol.TCP, 5432, 0, ep("10.244.0.9", 5432, "node-a"))));
        assertNull(v4(table, TCP, "10.96.0.20", 5432).backends().local());
        // internalTrafficPolicy: Local alone: only the local table.
        m.apply(service(DB, List.of("10.96.0.20"), List.of(), List.of(), false, true,
            port("", Protocol.TCP, 5432, 0, ep("10.244.0.9", 5432, "node-a"))));
        ServiceEntry itp = v4(table, TCP, "10.96.0.20", 5432);
        assertNull(itp.backends().cluster());
        assertSame(itp.backends().local(), itp.internalTable());
    }

    @Test
    void localityByNodeNameElseByPodCidrAndReevaluatedWhenThisNodeChanges() {
        ServiceTable table = new ServiceTable(1024, 1);
        ServiceManager m = manager(table);
        m.apply(web(ep("10.244.9.1", 8080, "node-a"), ep("10.244.0.7", 8080, "node-b"), ep("10.244.0.8", 8080, null)));
        ServiceEntry e = v4(table, TCP, "10.96.0.10", 80);
        assertTrue(e.backendLocal(0), "nodeName says this node, whatever the address");
        assertFalse(e.backendLocal(1), "nodeName says another node, even inside this node's pod CIDR");
        assertTrue(e.backendLocal(2), "no nodeName: this node's pod CIDR decides");

        assertEquals(new ServiceManager.Change(0, 1, 0), m.setLocality("node-b", List.of(Cidr.parse("10.244.5.0/24"))));
        e = v4(table, TCP, "10.96.0.10", 80);
        assertFalse(e.backendLocal(0));
        assertTrue(e.backendLocal(1));
        assertFalse(e.backendLocal(2));
        assertEquals(ServiceManager.Change.NONE, m.setLocality("node-b", List.of(Cidr.parse("10.244.5.0/24"))));
    }

    @Test
    void sctpPortsAreNotServedAndTheRestOfTheServiceIs() {
        ServiceTable table = new ServiceTable(1024, 1);
        ServiceManager m = manager(table);
        m.apply(service(WEB, List.of("10.96.0.10"), List.of(), List.of(), false, false,
            port("sig", Protocol.SCTP, 3868, 0, ep("10.244.1.5", 3868, "node-b")),
            port("dns", Protocol.UDP, 53, 0, ep("10.244.1.5", 5353, "node-b"))));
        assertEquals(1, table.size());
        assertNotNull(v4(table, UDP, "10.96.0.10", 53));
    }

    @Test
    void runtimeEditsLastUntilTheSourceChangesTheService() {
        ServiceTable table = new ServiceTable(1024, 1);
        ServiceManager m = manager(table);
        DesiredService named = service(WEB, List.of("10.96.0.10"), List.of(), List.of(), false, false,
            port("http", Protocol.TCP, 80, 0, ep("10.244.1.5", 8080, "node-b")));
        m.apply(named);
        var noTarget = assertThrows(IllegalArgumentException.class,
            () -> m.addBackend("default/web", IpAddress.parse("10.244.3.3"), 0, 1, true, false));
        assertTrue(noTarget.getMessage().contains("named targetPort"), noTarget.getMessage());
        m.addBackend("default/web", IpAddress.parse("10.244.3.3"), 8080, 1, true, false);
        assertEquals(2, v4(table, TCP, "10.96.0.10", 80).backendCount());
        m.apply(named);
        assertEquals(2, v4(table, TCP, "10.96.0.10", 80).backendCount(), "given again unchanged: the edit stays");
        m.apply(web(ep("10.244.1.5", 8080, "node-b"), ep("10.244.1.6", 8080, "node-b")));
        assertEquals(List.of("10.244.1.5", "10.244.1.6"), m.view(WEB).backends().stream()
            .map(b -> b.address().toString()).toList(), "changed by the source: the source wins");
        m.removeBackend("default/web", IpAddress.parse("10.244.1.6"), 0);
        assertEquals(1, v4(table, TCP, "10.96.0.10", 80).backendCount());
        var unknown = assertThrows(IllegalArgumentException.class,
            () -> m.removeBackend("web", IpAddress.parse("10.244.1.5"), 0));
        assertTrue(unknown.getMessage().contains("no service named 'web' (known: default/web)"), unknown.getMessage());
    }

    @Test
    void conditionsReachTheTables() {
        ServiceTable table = new ServiceTable(1024, 1);
        ServiceManager m = manager(table);
        m.apply(web(ep("10.244.1.5", 8080, false, true, true), ep("10.244.1.6", 8080, false, false, false)));
        ServiceEntry e = v4(table, TCP, "10.96.0.10", 80);
        assertTrue(e.internalTable().contains(0), "no ready endpoint: the serving terminating one serves");
        assertFalse(e.internalTable().contains(1));
        m.apply(web(ep("10.244.1.5", 8080, false, true, true), ep("10.244.1.7", 8080, true, true, false)));
        e = v4(table, TCP, "10.96.0.10", 80);
        assertFalse(e.internalTable().contains(0), "a ready endpoint exists: terminating ones get no new flows");
        assertTrue(e.internalTable().contains(1));
    }

    @Test
    void theTableGrowsWithTheServicesItHolds() {
        ServiceTable table = new ServiceTable(1 << 20, 2);
        ServiceManager m = manager(table);
        List<DesiredService> many = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            many.add(service(new ServiceId("ns", "s" + i), List.of("10.96." + (i >> 8) + "." + (i & 0xff)), List.of(),
                List.of(), false, false, port("a", Protocol.TCP, 80, 0, ep("10.244.1." + (i % 250), 8080, "node-b")),
                port("b", Protocol.UDP, 53, 0, ep("10.244.1." + (i % 250), 5353, "node-b"))));
        }
        assertEquals(new ServiceManager.Change(2400, 0, 0), m.replaceAll(many));
        assertEquals(2400, table.size());
        assertTrue(table.capacity() >= 2400, "past the first 1,024 ids");
        assertEquals("ns/s1199:b:v4", v4(table, UDP, "10.96.4.175", 53).name());
        assertSame(v4(table, TCP, "10.96.4.175", 80).internalTable(), v4(table, UDP, "10.96.4.175", 53).internalTable(),
            "two ports served by the same pod: one table");
        assertEquals(new ServiceManager.Change(0, 0, 2398), m.replaceAll(many.subList(0, 1)));
        assertEquals(2, table.size());
    }

    @Test
    void externalAddressesAreReportedAsTheyComeAndGo() {
        ServiceTable table = new ServiceTable(1024, 1);
        ServiceManager m = manager(table);
        m.apply(service(WEB, List.of("10.96.0.10", "fd00:96::10"), List.of("203.0.113.7"), List.of("2001:db8::9"),
            false, false, port("http", Protocol.TCP, 80, 0, ep("10.244.1.5", 8080, "node-b"))));
        List<String> events = new ArrayList<>();
        ServiceManager.ExternalAddresses recorder = new ServiceManager.ExternalAddresses() {
            @Override
            public void added(int protocol, IpAddress address, int port) {
                events.add("+" + protocol + " " + address + " " + port);
            }

            @Override
            public void removed(int protocol, IpAddress address, int port) {
                events.add("-" + protocol + " " + address + " " + port);
            }
        };
        m.externalAddresses(recorder);
        assertEquals(List.of("+6 203.0.113.7 80", "+6 2001:db8::9 80"), events, "those already served, at once");
        events.clear();
        // Endpoints change: the keys stay, nothing to steer anew.
        m.apply(service(WEB, List.of("10.96.0.10", "fd00:96::10"), List.of("203.0.113.7"), List.of("2001:db8::9"),
            false, false, port("http", Protocol.TCP, 80, 0, ep("10.244.1.6", 8080, "node-b"))));
        assertEquals(List.of(), events);
        // The load-balancer IP changes and a UDP port appears.
        m.apply(service(WEB, List.of("10.96.0.10", "fd00:96::10"), List.of("203.0.113.7"), List.of("2001:db8::a"),
            false, false, port("http", Protocol.TCP, 80, 0, ep("10.244.1.6", 8080, "node-b")),
            port("dns", Protocol.UDP, 53, 0)));
        assertEquals(Set.of("-6 2001:db8::9 80", "+6 2001:db8::a 80", "+17 203.0.113.7 53", "+17 2001:db8::a 53"),
            Set.copyOf(events));
        events.clear();
        m.remove(WEB);
        assertEquals(Set.of("-6 203.0.113.7 80", "-6 2001:db8::a 80", "-17 203.0.113.7 53", "-17 2001:db8::a 53"),
            Set.copyOf(events));
        events.clear();
        // An external IP moving from one service to another in one replaceAll stays steered: no event at all
        // (a steering that counts per address would otherwise never let its route go).
        DesiredService first = service(WEB, List.of("10.96.0.10"), List.of("203.0.113.7"), List.of(), false, false,
            port("http", Protocol.TCP, 80, 0));
        DesiredService second = service(DB, List.of("10.96.0.11"), List.of("203.0.113.7"), List.of(), false, false,
            port("http", Protocol.TCP, 80, 0));
        m.replaceAll(List.of(first));
        assertEquals(List.of("+6 203.0.113.7 80"), events);
        events.clear();
        m.replaceAll(List.of(second));
        assertEquals(List.of(), events, "moved, not gone and back");
        m.replaceAll(List.of());
        assertEquals(List.of("-6 203.0.113.7 80"), events);
    }

    @Test
    void steeringRoutesEachAddressOnceAndSurvivesFailures() {
        List<String> routes = new ArrayList<>();
        ServiceAddressSteering steering = new ServiceAddressSteering(null, address -> {
            if (address.getHostAddress().equals("198.51.100.66")) {
                throw new IllegalStateException("refused by the kernel");
            }
            routes.add("route " + address.getHostAddress());
        }, address -> routes.add("unroute " + address.getHostAddress()));
        IpAddress a = IpAddress.parse("203.0.113.7");
        steering.added(6, a, 80);
        steering.added(17, a, 53);
        IpAddress refused = IpAddress.parse("198.51.100.66");
        steering.added(6, refused, 80); // logged, not thrown
        steering.removed(6, a, 80);
        assertEquals(List.of("route 203.0.113.7"), routes, "one route per address, however many ports");
        steering.removed(17, a, 53);
        assertEquals(List.of("route 203.0.113.7", "unroute 203.0.113.7"), routes);
        steering.removed(6, refused, 80);
        assertEquals(List.of("route 203.0.113.7", "unroute 203.0.113.7", "unroute 198.51.100.66"), routes,
            "the count follows what the manager reported, whatever failed");
    }
}
