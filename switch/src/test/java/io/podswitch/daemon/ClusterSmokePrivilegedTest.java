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
 * plugin: pod ↔ remote pod and node → remote pod ping over IPv4, the tunnel counters rise; after a
 * SIGKILL of one daemon its node still reaches the other node (the XDP program went with the process).
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
