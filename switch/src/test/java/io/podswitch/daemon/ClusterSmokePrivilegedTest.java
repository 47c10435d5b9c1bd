package io.podswitch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.http.HttpClientException;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.nativeio.NetnsFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two nodes (network namespaces joined by a veth pair as the underlay), each running podswitchd as its
 * own JVM inside its namespace with an AF_XDP uplink in VXLAN mode, one pod each wired by the CNI
 * plugin: pod ↔ remote pod, node → remote pod and pod → remote node ping over IPv4, the tunnel counters
 * rise; {@code /v1/peers} shows the kernel-resolved next hop; PMTU discovery with a pod MTU above the
 * tunnel's lets iperf3 complete; a third node added by editing the file appears live, an invalid file is
 * refused with its position, SIGHUP reloads; after a SIGKILL of one daemon its node still reaches the
 * other node (the XDP program went with the process).
 */
@Tag("privileged")
class ClusterSmokePrivilegedTest {

    @Test
    void twoNodesVxlanPingAcrossAndNodeSurvivesDaemonKill() throws Exception {
        String sfx = NetnsFixture.suffix();
        int net = ThreadLocalRandom.current().nextInt(1, 255);
        Path dir = Files.createTempDirectory("podswitch-cluster-");
        List<String> namespaces = new ArrayList<>();
        List<Process> daemons = new ArrayList<>();
        String nodeA = "pcA" + sfx;
        String nodeB = "pcB" + sfx;
        try {
            for (String ns : List.of(nodeA, nodeB)) {
                NetnsFixture.run("ip", "netns", "add", ns);
                namespaces.add(ns);
                NetnsFixture.run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            NetnsFixture.run("ip", "link", "add", "ua" + sfx, "netns", nodeA, "type", "veth", "peer", "name", "ub" + sfx,
                    "netns", nodeB);
            String addrA = "192.168." + net + ".1";
            String addrB = "192.168." + net + ".2";
            NetnsFixture.run("ip", "-n", nodeA, "addr", "add", addrA + "/24", "dev", "ua" + sfx);
            NetnsFixture.run("ip", "-n", nodeB, "addr", "add", addrB + "/24", "dev", "ub" + sfx);
            NetnsFixture.run("ip", "-n", nodeA, "link", "set", "ua" + sfx, "up");
            NetnsFixture.run("ip", "-n", nodeB, "link", "set", "ub" + sfx, "up");

            String config = "ipFamilies: [IPv4]\n"
                    + "podCIDRs: [10.251.0.0/16]\n"
                    + "serviceCIDRs: [10.97.0.0/16]\n"
                    + "nodeCIDRs: [192.168." + net + ".0/24]\n"
                    + "overlay: {mode: vxlan, vni: 42, podMTU: 1450}\n"
                    + "nodes:\n"
                    + "  - name: a\n"
                    + "    addresses: [" + addrA + "]\n"
                    + "    podCIDRs: [10.251.1.0/24]\n"
                    + "    uplink: {interface: ua" + sfx + ", mtu: 1500}\n"
                    + "  - name: b\n"
                    + "    addresses: [" + addrB + "]\n"
                    + "    podCIDRs: [10.251.2.0/24]\n"
                    + "    uplink: {interface: ub" + sfx + ", mtu: 1500}\n";
            Map<String, Path> sockets = new HashMap<>();
            for (String node : List.of("a", "b")) {
                Path nodeDir = Files.createDirectories(dir.resolve(node));
                Files.writeString(nodeDir.resolve("cluster.yaml"), "node: " + node + "\n" + config);
                sockets.put(node, nodeDir.resolve("run").resolve("podswitchd.sock"));
                daemons.add(startDaemon(node.equals("a") ? nodeA : nodeB, nodeDir, "psw" + node + sfx));
            }
            for (int i = 0; i < 2; i++) {
                awaitReady(daemons.get(i), sockets.get(i == 0 ? "a" : "b"), dir.resolve(i == 0 ? "a" : "b"));
            }

            String podA = "ppA" + sfx;
            String podB = "ppB" + sfx;
            String ipA = addPod(podA, namespaces, sockets.get("a"), "ca" + sfx);
            String ipB = addPod(podB, namespaces, sockets.get("b"), "cb" + sfx);
            assertTrue(ipA.startsWith("10.251.1."), ipA);
            assertTrue(ipB.startsWith("10.251.2."), ipB);

            assertTrue(DaemonHarness.ping(podA, ipB), "pod a → pod b\n" + logs(dir));
            assertTrue(DaemonHarness.ping(podB, ipA), "pod b → pod a\n" + logs(dir));
            assertTrue(DaemonHarness.ping(nodeA, ipB), "node a → pod b\n" + logs(dir));
            assertTrue(DaemonHarness.ping(podA, addrB), "pod a → node b\n" + logs(dir));
            assertTrue(counter(sockets.get("a"), "overlay.peer.b.encap_packets") >= 3);
            assertTrue(counter(sockets.get("b"), "overlay.peer.a.decap_packets") >= 3);

            // GET /v1/peers: b with its next hop resolved by the kernel (the MAC of b's veth end).
            ObjectReader peer = json(sockets.get("a"), "/v1/peers").optionalObjectList("peers").getFirst();
            assertEquals("b", peer.requiredString("name"));
            assertEquals("resolved", peer.requiredString("state"));
            assertEquals(addrB, peer.requiredString("nextHop"));
            String macB = NetnsFixture.run("ip", "-n", nodeB, "-o", "link", "show", "ub" + sfx);
            assertTrue(macB.contains("link/ether " + peer.requiredString("nextHopMac")), macB);
            assertTrue(peer.optionalLong("encapPackets", 0, Long.MAX_VALUE, 0) >= 3);

            // PMTU: node a's uplink MTU drops to 1400 under running pods (MTU 1450): the daemon sees it,
            // the tunnel MTU becomes 1350, the switch answers "fragmentation needed" with 1350, TCP lowers
            // its segment size, and a large transfer completes.
            NetnsFixture.run("ip", "-n", nodeA, "link", "set", "ua" + sfx, "mtu", "1400");
            awaitRoute(sockets.get("a"), "\"prefix\":\"10.251.2.0/24\",\"kind\":\"encap\",\"port\":", "\"mtu\":1350");
            Process server = new ProcessBuilder("ip", "netns", "exec", podB, "iperf3", "-s", "-1").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("iperf3-server.log").toFile()).start();
            try {
                Thread.sleep(300);
                String client = NetnsFixture.run("ip", "netns", "exec", podA, "iperf3", "-c", ipB, "-n", "8M");
                assertTrue(client.contains("sender"), client);
            } finally {
                server.destroy();
                server.waitFor(5, TimeUnit.SECONDS);
            }
            NetnsFixture.run("ip", "-n", nodeA, "link", "set", "ua" + sfx, "mtu", "1500");
            assertTrue(counter(sockets.get("a"), "ip4-rewrite.mtu_exceeded") >= 1, "frag-needed was sent");

            // Live reload through the file watch, written the way editors write (temp file + rename):
            // node c appears with its routes; b's tunnel keeps working.
            Path configA = dir.resolve("a").resolve("cluster.yaml");
            String withC = "node: a\n" + config + "  - name: c\n    addresses: [192.168." + net + ".3]\n"
                    + "    podCIDRs: [10.251.3.0/24]\n";
            replaceFile(configA, withC);
            awaitPeers(sockets.get("a"), 2);
            String routes = get(sockets.get("a"), "/v1/routes").bodyText();
            assertTrue(routes.contains("\"prefix\":\"10.251.3.0/24\",\"kind\":\"encap\""), routes);
            assertTrue(DaemonHarness.ping(podA, ipB), "pod a → pod b after adding c");

            // An invalid file: logged with its position, the running config stays.
            replaceFile(configA, withC.replace("podCIDRs: [10.251.3.0/24]", "podCIDRs: [10.251.3.0/33]"));
            awaitLog(dir.resolve("a").resolve("daemon.log"), "cluster.yaml:");
            HttpResponse refused = post(sockets.get("a"), "/v1/reload");
            assertEquals(400, refused.status(), refused.bodyText());
            assertTrue(refused.bodyText().contains("nodes[2].podCIDRs[0]"), refused.bodyText());
            assertEquals(2, json(sockets.get("a"), "/v1/peers").optionalObjectList("peers").size());

            // Back to two nodes, by SIGHUP this time (the watch fires too; both end in the same state).
            replaceFile(configA, "node: a\n" + config);
            awaitPeers(sockets.get("a"), 1);
            NetnsFixture.run("kill", "-HUP", Long.toString(daemons.get(0).pid()));
            awaitLog(dir.resolve("a").resolve("daemon.log"), "reload (SIGHUP)");
            assertTrue(daemons.get(0).isAlive(), "SIGHUP does not stop the daemon");
            assertTrue(DaemonHarness.ping(podA, ipB), "pod a → pod b after removing c");

            // SIGKILL node a's daemon: the XDP program is gone with it, the node reaches node b itself.
            daemons.get(0).destroyForcibly();
            assertTrue(daemons.get(0).waitFor(10, TimeUnit.SECONDS));
            String link = NetnsFixture.run("ip", "-d", "-n", nodeA, "link", "show", "ua" + sfx);
            assertFalse(link.contains("prog/xdp"), link);
            assertTrue(DaemonHarness.ping(nodeA, addrB), "node a → node b after the kill");
            assertTrue(DaemonHarness.ping(nodeB, addrA), "node b → node a after the kill");
        } finally {
            for (Process p : daemons) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            for (String ns : namespaces) {
                NetnsFixture.quietly("ip", "netns", "del", ns);
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Process startDaemon(String netns, Path nodeDir, String hostPort) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(DaemonHarness.JVM_FLAGS);
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Podswitchd.class.getName(), "--config", nodeDir.resolve("cluster.yaml").toString(),
                "--state-dir", nodeDir.resolve("state").toString(), "--run-dir", nodeDir.resolve("run").toString(),
                "--host-port", hostPort, "--max-pods", "16", "--frames", "8192"));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("daemon.log").toFile())).start();
    }

    private static void awaitReady(Process daemon, Path socket, Path nodeDir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException("podswitchd exited " + daemon.exitValue() + ": "
                        + Files.readString(nodeDir.resolve("daemon.log")));
            }
            try {
                if (get(socket, "/v1/pods").status() == 200) {
                    return;
                }
            } catch (HttpClientException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("podswitchd did not answer in 60 s: " + Files.readString(nodeDir.resolve("daemon.log")));
    }

    /** Creates a pod namespace, runs CNI ADD against {@code socket}; returns the pod's IPv4 address. */
    private static String addPod(String ns, List<String> namespaces, Path socket, String containerId) throws Exception {
        NetnsFixture.run("ip", "netns", "add", ns);
        namespaces.add(ns);
        NetnsFixture.run("ip", "-n", ns, "link", "set", "lo", "up");
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", "ADD");
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_NETNS", DaemonHarness.netnsPath(ns));
        env.put("CNI_PATH", "/opt/cni/bin");
        String netconf = "{\"cniVersion\":\"1.1.0\",\"name\":\"" + DaemonHarness.NETWORK
                + "\",\"type\":\"podswitch-cni\",\"socket\":\"" + socket + "\"}";
        DaemonHarness.Cni add = DaemonHarness.plugin(env, netconf);
        assertEquals(0, add.exit(), add.toString());
        String address = add.json().optionalObjectList("ips").getFirst().requiredString("address");
        return address.substring(0, address.indexOf('/'));
    }

    private static void replaceFile(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitPeers(Path socket, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int seen = -1;
        while (System.nanoTime() < deadline) {
            seen = json(socket, "/v1/peers").optionalObjectList("peers").size();
            if (seen == count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("expected " + count + " peers, saw " + seen);
    }

    /** Waits until the route whose JSON starts with {@code route} shows {@code field}. */
    private static void awaitRoute(Path socket, String route, String field) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String routes = "";
        while (System.nanoTime() < deadline) {
            routes = get(socket, "/v1/routes").bodyText();
            int at = routes.indexOf(route);
            if (at >= 0 && routes.substring(at, routes.indexOf('}', at)).contains(field)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + route + " with " + field + " in " + routes);
    }

    private static void awaitLog(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in the log: " + Files.readString(log));
    }

    private static ObjectReader json(Path socket, String path) throws HttpClientException {
        HttpResponse r = get(socket, path);
        assertEquals(200, r.status(), r.bodyText());
        return ObjectReader.of(JsonParser.parse(r.bodyText()), "");
    }

    private static HttpResponse post(Path socket, String path) throws HttpClientException {
        return new UnixHttpClient(socket, TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT)
                .exchange(HttpRequest.postJson(path, "{}"), System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    private static HttpResponse get(Path socket, String path) throws HttpClientException {
        return new UnixHttpClient(socket, TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT)
                .exchange(new HttpRequest("GET", path, Map.of(), null), System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    private static long counter(Path socket, String name) throws HttpClientException {
        ObjectReader counters = ObjectReader.of(JsonParser.parse(get(socket, "/v1/counters").bodyText()), "")
                .optionalObject("counters");
        long sum = 0;
        for (String key : counters.object().members().keySet()) {
            if (key.endsWith(name)) {
                sum += counters.optionalLong(key, Long.MIN_VALUE, Long.MAX_VALUE, 0);
            }
        }
        return sum;
    }

    private static String logs(Path dir) {
        StringBuilder s = new StringBuilder();
        for (String node : List.of("a", "b")) {
            try {
                s.append("--- node ").append(node).append(" ---\n").append(Files.readString(dir.resolve(node).resolve("daemon.log")));
            } catch (IOException e) {
                s.append("(no log for ").append(node).append(")\n");
            }
        }
        return s.toString();
    }
}
