package io.podswitch.daemon.services;

import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.daemon.api.ControlApi;
import io.podswitch.daemon.api.ControlThread;
import io.podswitch.daemon.api.DaemonOperations;
import io.podswitch.daemon.reload.FileServices;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;
import io.podswitch.service.ServiceCounters;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;
import io.podswitch.stats.CounterSource;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ServiceManagerTest {
    static final int TCP = 6;
    static final int UDP = 17;

    public static final String BASE = """
            ipFamilies: [IPv4, IPv6]
            podCIDRs: [10.244.0.0/16, "fd00:10:244::/56"]
            serviceCIDRs: [10.96.0.0/16, "fd00:10:96::/112"]
            nodeCIDRs: [192.168.100.0/24, "fd00:192:168:100::/64"]
            node: node-a
            overlay:
              mode: vxlan
              vni: 1
            nodes:
              - name: node-a
                addresses: [192.168.100.11, "fd00:192:168:100::11"]
                uplink: {interface: eth0, mtu: 1500}
              - name: node-b
                addresses: [192.168.100.12, "fd00:192:168:100::12"]
                uplink: {interface: eth0, mtu: 1500}
            services:
              - name: web
                vips: [10.96.0.10, "fd00:10:96::10"]
                ports:
                  - {name: http, port: 80, targetPort: 8080, nodePort: 30080}
                  - {name: dns, protocol: UDP, port: 53, targetPort: 5353}
                backends:
                  - {address: 10.244.0.5}
                  - {address: 10.244.1.5, weight: 2}
                  - {address: "fd00:10:244::5"}
              - name: db
                vips: [10.96.0.20]
                ports:
                  - {port: 5432, targetPort: 5432}
                backends:
                  - {address: 10.244.1.9}
            """;

    static ClusterConfig config(String yaml) throws Exception {
        return ConfigLoader.parse(yaml, "cluster.yaml", Map.of());
    }

    static ServiceEntry v4(ServiceTable t, int protocol, String address, int port) {
        return t.find4(protocol, Ip4.parse(address), port);
    }

    static ServiceEntry v6(ServiceTable t, int protocol, String address, int port) {
        long[] a = Ip6.parse(address);
        return t.find(protocol, a[0], a[1], port);
    }

    @Test
    void loadsOneKeyPerVipPortAndNodePortPerFamily() throws Exception {
        ServiceTable table = new ServiceTable(64, 1);
        ServiceManager m = new ServiceManager(table, 13);
        assertEquals(new ServiceManager.Change(7, 0, 0), FileServices.apply(m, config(BASE)));
        ServiceEntry http4 = v4(table, TCP, "10.96.0.10", 80);
        assertEquals(2, http4.backendCount(), "IPv4 backends only");
        assertEquals(8080, http4.backendPort(0));
        assertEquals("web:http:v4", http4.name());
        ServiceEntry http6 = v6(table, TCP, "fd00:10:96::10", 80);
        assertEquals(1, http6.backendCount());
        assertEquals(5353, v4(table, UDP, "10.96.0.10", 53).backendPort(0));
        assertNotNull(v6(table, UDP, "fd00:10:96::10", 53));
        ServiceEntry np4 = table.find(TCP, 0, ServiceTable.NODE_PORT4_LOW, 30080);
        assertEquals(ServiceKind.NODE_PORT, np4.kind());
        assertEquals(ServiceKind.NODE_PORT, table.find(TCP, 0, 0, 30080).kind());
        assertNull(v4(table, UDP, "10.96.0.10", 80));
        assertEquals(5432, v4(table, TCP, "10.96.0.20", 5432).backendPort(0));
        assertEquals(2, http4.endpoints().get(1).weight());
    }

    @Test
    void reloadAppliesOnlyTheDifference() throws Exception {
        ServiceTable table = new ServiceTable(64, 1);
        ServiceManager m = new ServiceManager(table, 13);
        FileServices.apply(m, config(BASE));
        ServiceEntry db = v4(table, TCP, "10.96.0.20", 5432);
        ServiceEntry http = v4(table, TCP, "10.96.0.10", 80);
        assertEquals(new ServiceManager.Change(0, 0, 0), FileServices.apply(m, config(BASE)));
        assertSame(db, v4(table, TCP, "10.96.0.20", 5432), "unchanged key: same entry, same generation");

        String more = BASE.replace("- {address: 10.244.1.9}", "- {address: 10.244.1.9}\n      - {address: 10.244.2.9}");
        assertEquals(new ServiceManager.Change(0, 1, 0), FileServices.apply(m, config(more)));
        assertEquals(2, v4(table, TCP, "10.96.0.20", 5432).backendCount());
        assertSame(http, v4(table, TCP, "10.96.0.10", 80), "another service's keys are untouched");
        assertEquals(db.id(), v4(table, TCP, "10.96.0.20", 5432).id(), "a changed key keeps its id");

        String withoutDb = BASE.substring(0, BASE.indexOf("  - name: db"));
        assertEquals(new ServiceManager.Change(0, 0, 1), FileServices.apply(m, config(withoutDb)));
        assertNull(v4(table, TCP, "10.96.0.20", 5432));
        assertEquals(6, table.size());
    }

    @Test
    void runtimeBackendChangesAreValidatedAndKeptUntilTheServiceChangesInTheFile() throws Exception {
        ServiceTable table = new ServiceTable(64, 1);
        ServiceManager m = new ServiceManager(table, 13);
        FileServices.apply(m, config(BASE));
        m.addBackend("db", IpAddress.parse("10.244.3.3"), 0, 1, true, false);
        assertEquals(2, v4(table, TCP, "10.96.0.20", 5432).backendCount());
        ServiceEntry before = v4(table, TCP, "10.96.0.20", 5432);

        var unknown = assertThrows(IllegalArgumentException.class,
            () -> m.addBackend("nope", IpAddress.parse("10.244.3.3"), 0, 1, true, false));
        assertTrue(unknown.getMessage().contains("no service named 'nope'"), unknown.getMessage());
        var family = assertThrows(IllegalArgumentException.class,
            () -> m.addBackend("db", IpAddress.parse("fd00::3"), 0, 1, true, false));
        assertTrue(family.getMessage().contains("ClusterIP, so it cannot use backend fd00::3"), family.getMessage());
        var override = assertThrows(IllegalArgumentException.class,
            () -> m.addBackend("web", IpAddress.parse("10.244.3.3"), 9000, 1, true, false));
        assertTrue(override.getMessage().contains("single-port"), override.getMessage());
        var missing = assertThrows(IllegalArgumentException.class,
            () -> m.removeBackend("db", IpAddress.parse("10.244.7.7"), 0));
        assertTrue(missing.getMessage().contains("has no backend 10.244.7.7"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.addBackend("db", IpAddress.parse("10.244.3.3"), 0, 0, true, false));
        assertSame(before, v4(table, TCP, "10.96.0.20", 5432), "failed changes leave the table alone");

        FileServices.apply(m, config(BASE));
        assertEquals(2, v4(table, TCP, "10.96.0.20", 5432).backendCount(), "unchanged in the file: runtime edit kept");
        FileServices.apply(m, config(BASE.replace("port: 5432, targetPort: 5432", "port: 5432, targetPort: 5433")));
        assertEquals(1, v4(table, TCP, "10.96.0.20", 5432).backendCount(), "changed in the file: the file wins");

        m.removeBackend("db", IpAddress.parse("10.244.1.9"), 0);
        assertEquals(0, v4(table, TCP, "10.96.0.20", 5432).backendCount());
        assertTrue(v4(table, TCP, "10.96.0.20", 5432).internalTable().isEmpty());
    }

    @Test
    void localEndpointsFollowThisNodesPodCidr() throws Exception {
        ServiceTable table = new ServiceTable(64, 1);
        ServiceManager m = new ServiceManager(table, 13);
        ClusterConfig c = config(BASE);
        FileServices.apply(m, c);
        IpAddress local = c.thisNode().podCidrs().get(0).network();
        int localAddress = Ip4.parse(local.toString()) + 7;
        m.addBackend("db", IpAddress.parse(Ip4.format(localAddress)), 0, 1, true, false);
        ServiceEntry db = v4(table, TCP, "10.96.0.20", 5432);
        int localCount = 0;
        for (int i = 0; i < db.backendCount(); i++) {
            localCount += db.backendLocal(i) ? 1 : 0;
        }
        assertEquals(ServiceManager.isLocal(IpAddress.parse("10.244.1.9"), c.thisNode().podCidrs()) ? 2 : 1, localCount);
    }

    @Test
    void countersAppearInTheStatsSource() throws Exception {
        ServiceTable table = new ServiceTable(64, 2);
        ServiceManager m = new ServiceManager(table, 13);
        FileServices.apply(m, config(BASE));
        int id = v4(table, TCP, "10.96.0.10", 80).id();
        table.counters().increment(0, id, ServiceCounters.PACKETS);
        table.counters().increment(1, id, ServiceCounters.PACKETS);
        table.counters().increment(1, id, ServiceCounters.NEW_CONNECTIONS);
        Map<String, Long> seen = new LinkedHashMap<>();
        CounterSource source = new ServiceCounterSource(table);
        source.visit(seen::put);
        assertEquals(2L, seen.get("services.web:http:v4.packets"));
        assertEquals(1L, seen.get("services.web:http:v4.new_connections"));
        assertEquals(0L, seen.get("services.web:http:v4.no_backend"));
        assertEquals(7 * 3 + 4, seen.size(), "three per key and the totals");
        assertEquals(7L, seen.get("services.keys"));
        assertEquals(2L, seen.get("services.total.packets"));
    }

    @Test
    void controlApiListsAndEditsEndpoints() throws Exception {
        ServiceTable table = new ServiceTable(64, 1);
        ServiceManager m = new ServiceManager(table, 13);
        FileServices.apply(m, config(BASE));
        try (ControlThread control = new ControlThread()) {
            ControlApi api = new ControlApi(control, new DaemonOperations(null, null, null, m));
            HttpResponse list = api.handle(new HttpRequest("GET", "/v1/services", Map.of(), null));
            assertEquals(200, list.status());
            assertTrue(list.bodyText().contains("\"name\":\"web\""), list.bodyText());
            assertTrue(list.bodyText().contains("\"web:http:v4:nodeport\""), list.bodyText());

            HttpResponse add = api.handle(HttpRequest.postJson("/v1/services/endpoints",
                "{\"service\":\"db\",\"address\":\"10.244.4.4\",\"weight\":3}"));
            assertEquals(200, add.status(), add.bodyText());
            assertEquals(2, v4(table, TCP, "10.96.0.20", 5432).backendCount());
            HttpResponse remove = api.handle(new HttpRequest("DELETE", "/v1/services/endpoints", Map.of(),
                "{\"service\":\"db\",\"address\":\"10.244.4.4\"}".getBytes()));
            assertEquals(200, remove.status(), remove.bodyText());
            assertEquals(1, v4(table, TCP, "10.96.0.20", 5432).backendCount());

            HttpResponse bad = api.handle(HttpRequest.postJson("/v1/services/endpoints",
                "{\"service\":\"db\",\"address\":\"10.244.4\"}"));
            assertEquals(400, bad.status());
            assertTrue(bad.bodyText().contains("not an IP address"), bad.bodyText());
            HttpResponse unknown = api.handle(HttpRequest.postJson("/v1/services/endpoints",
                "{\"service\":\"x\",\"address\":\"10.244.4.4\"}"));
            assertEquals(400, unknown.status());
            assertTrue(unknown.bodyText().contains("no service named 'x'"), unknown.bodyText());
            assertEquals(400, api.handle(HttpRequest.postJson("/v1/services/endpoints", "{\"service\":")).status());
            assertEquals(400, api.handle(HttpRequest.postJson("/v1/services/endpoints", "{\"address\":\"10.0.0.1\"}"))
                .status());
            assertEquals(400, api.handle(new HttpRequest("DELETE", "/v1/services/endpoints", Map.of(), null)).status());
            assertEquals(405, api.handle(new HttpRequest("GET", "/v1/services/endpoints", Map.of(), null)).status());
            assertEquals(405, api.handle(HttpRequest.postJson("/v1/services", "{}")).status());
        }
    }

    @Test
    void servicesAreKeptTogetherAcrossFamilies() throws Exception {
        ServiceTable table = new ServiceTable(64, 1);
        ServiceManager m = new ServiceManager(table, 13);
        FileServices.apply(m, config(BASE));
        List<ServiceView> views = m.views();
        assertEquals(2, views.size());
        assertEquals(6, views.get(0).keys().size());
        assertEquals(3, views.get(0).backends().size());
    }
}
