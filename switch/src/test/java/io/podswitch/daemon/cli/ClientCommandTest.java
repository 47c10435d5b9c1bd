package io.podswitch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.json.NodeReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientCommandTest {
    @Test
    void daemonDownIsAClearErrorAndExitOne(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ClientCommand.run(new String[] {"pods", "--socket", dir.resolve("none.sock").toString()}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("is it running?"), err.toString());
    }

    @Test
    void badCommandLines() {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        assertEquals(64, ClientCommand.run(new String[0], Map.of(), quiet, quiet));
        assertEquals(64, ClientCommand.run(new String[] {"things"}, Map.of(), quiet, quiet));
        assertEquals(64, ClientCommand.run(new String[] {"pods", "--socket"}, Map.of(), quiet, quiet));
        assertEquals(64, ClientCommand.run(new String[] {"pods", "--wide"}, Map.of(), quiet, quiet));
    }

    @Test
    void tables() {
        String pods = TableViews.render("pods", json("{\"pods\":[{\"containerID\":\"0123456789abcdef\",\"ifName\":\"eth0\","
                + "\"addresses\":[\"10.244.1.5\",\"fd00::5\"],\"mac\":\"0a:58:00:00:00:01\",\"mtu\":1450,\"portId\":3,"
                + "\"worker\":0,\"rxPackets\":7,\"txPackets\":9,\"netns\":\"/var/run/netns/x\"}]}"));
        assertEquals("""
                CONTAINER     IF    ADDRESSES           MAC                MTU   PORT  WORKER  RX  TX  NETNS
                0123456789ab  eth0  10.244.1.5,fd00::5  0a:58:00:00:00:01  1450  3     0       7   9   /var/run/netns/x
                """, pods);
        String routes = TableViews.render("routes", json("{\"routes\":[{\"prefix\":\"0.0.0.0/0\",\"kind\":\"rewrite\","
                + "\"port\":0,\"portName\":\"podswitch0\",\"mac\":\"aa:bb:cc:dd:ee:ff\",\"mtu\":1450},"
                + "{\"prefix\":\"10.244.1.1/32\",\"kind\":\"local\"}]}"));
        assertTrue(routes.contains("podswitch0 (port 0)  aa:bb:cc:dd:ee:ff  1450"), routes);
        assertTrue(routes.contains("10.244.1.1/32  local"), routes);
        String ipam = TableViews.render("ipam", json("{\"ranges\":[{\"cidr\":\"10.244.1.0/24\",\"gateway\":\"10.244.1.1\","
                + "\"size\":253,\"allocated\":2}],\"allocations\":[{\"containerID\":\"c\",\"ifName\":\"eth0\",\"addresses\":[\"10.244.1.2\"]}]}"));
        assertTrue(ipam.contains("10.244.1.0/24  10.244.1.1  2          253"), ipam);
        String counters = TableViews.render("counters", json("{\"counters\":{\"a\":0,\"b\":5}}"));
        assertEquals("COUNTER (non-zero)  VALUE\nb                   5\n", counters);
    }

    @Test
    void statusShowsTheSourceHowCurrentItIsAndWhatWasSkipped() {
        String file = TableViews.render("status", json("{\"node\":\"a\",\"source\":\"file\",\"config\":\"/etc/c.yaml\"}"));
        assertEquals("node a, source file (/etc/c.yaml)\n", file);
        String kube = TableViews.render("status", json("{\"node\":\"a\",\"source\":\"kubernetes\",\"config\":\"c.yaml\","
                + "\"kubernetes\":{\"server\":\"https://10.0.0.1:443/\",\"connected\":false,\"synced\":true,"
                + "\"staleMillis\":12300,\"watches\":[{\"resource\":\"nodes\",\"synced\":true,\"watching\":false,"
                + "\"items\":3,\"resourceVersion\":\"41\",\"lists\":2,\"restarts\":1,\"staleMillis\":12300,\"lastError\":\"refused\"}],"
                + "\"reconcilers\":[],\"peers\":2,\"skippedNodes\":{\"e\":\"has no pod CIDR yet\"},"
                + "\"services\":{\"served\":6,\"ignored\":1,\"unservable\":{\"x/y\":\"ClusterIP outside\"}},"
                + "\"programmingLatency\":{\"count\":10,\"p50Micros\":1500,\"p90Micros\":2000,\"p99Micros\":4200,"
                + "\"maxMicros\":5000}}}"));
        assertTrue(kube.contains("API server https://10.0.0.1:443/: NOT connected, synced, view stale for 12.3 s"), kube);
        assertTrue(kube.contains("nodes     yes     no        3        2      1         41                12.3 s  refused"), kube);
        assertTrue(kube.contains("peers: 2 other node(s) routed to"), kube);
        assertTrue(kube.contains("services: 6 served, 1 not proxied"), kube);
        assertTrue(kube.contains("10 changes, p50 1.5 ms, p99 4.2 ms, max 5.0 ms"), kube);
        assertTrue(kube.contains("x/y                 ClusterIP outside"), kube);
        assertTrue(kube.contains("e             has no pod CIDR yet"), kube);
    }

    @Test
    void peersTable() {
        String peers = TableViews.render("peers", json("{\"peers\":[{\"name\":\"node-b\",\"addresses\":[\"192.168.1.2\"],"
                + "\"podCIDRs\":[\"10.244.2.0/24\"],\"mode\":\"vxlan\",\"underlay\":\"192.168.1.2\","
                + "\"nextHop\":\"192.168.1.2\",\"nextHopMac\":\"02:00:00:00:00:0b\",\"state\":\"resolved\","
                + "\"encapPackets\":3,\"encapBytes\":294,\"decapPackets\":4,\"decapBytes\":392}],"
                + "\"drops\":{\"decap.bad_vni\":2,\"decap.unknown_peer\":0},"
                + "\"uplink\":{\"interface\":\"eth0\",\"attach\":\"tap\",\"configured\":\"auto\","
                + "\"reason\":\"this kernel's TAP takes the UDP tunnel offloads\"}}"));
        assertEquals("""
                uplink eth0: tap (auto: this kernel's TAP takes the UDP tunnel offloads)
                NODE    ADDRESSES    POD CIDRS      MODE   NEXT HOP                       STATE     ENCAP PKTS/BYTES  DECAP PKTS/BYTES
                node-b  192.168.1.2  10.244.2.0/24  vxlan  192.168.1.2 02:00:00:00:00:0b  resolved  3/294             4/392

                OVERLAY DROP   PACKETS
                decap.bad_vni  2
                """, peers);
        assertEquals("reloaded: 1 added, 0 removed, 0 changed, 1 unchanged\n", TableViews.render("reload",
                json("{\"applied\":true,\"summary\":\"1 added, 0 removed, 0 changed, 1 unchanged\"}")));
    }

    @Test
    void anAnswerOfTheWrongShapeNamesTheMember() {
        JsonCodec.Shape e = assertThrows(JsonCodec.Shape.class,
                () -> TableViews.render("pods", json("{\"pods\":[{\"containerID\":5}]}")));
        assertTrue(e.getMessage().contains("pods[0].containerID"), e.getMessage());
        e = assertThrows(JsonCodec.Shape.class, () -> TableViews.render("status",
                json("{\"node\":\"a\",\"source\":\"kubernetes\",\"config\":\"c\",\"kubernetes\":{\"server\":\"s\",\"staleMillis\":1.5}}")));
        assertTrue(e.getMessage().contains("kubernetes.staleMillis"), e.getMessage());
    }

    private static NodeReader json(String text) {
        return NodeReader.of(JsonCodec.tree(text.getBytes(StandardCharsets.UTF_8)), "");
    }
}
