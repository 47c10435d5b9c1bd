package io.podswitch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.json.ObjectReader;
import io.podswitch.nativeio.NetnsFixture;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * podswitchd with four pods wired by the CNI plugin executed as a runtime executes it, per cluster
 * family setup: results, pod↔pod ping and TCP, pod→gateway, node→pod, anti-spoofing, CHECK before and
 * after someone deletes the pod's default route, DEL twice, GC — and nothing left behind.
 */
@Tag("privileged")
class PodswitchdPrivilegedTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"IPv4", "IPv6", "IPv4,IPv6", "IPv4,IPv6 with 2 workers"})
    void podsTalkThroughTheSwitch(String setup) throws Exception {
        String families = setup.split(" ")[0];
        try (DaemonHarness h = new DaemonHarness(families)) {
            // with two workers, neighbouring pods are polled by different workers (round-robin)
            h.workers = setup.endsWith("2 workers") ? 2 : 1;
            h.start();
            List<String> ns = List.of(h.netns("a"), h.netns("b"), h.netns("c"), h.netns("d"));
            Map<String, String> results = new LinkedHashMap<>();
            Map<String, List<String>> addresses = new LinkedHashMap<>();
            for (String n : ns) {
                DaemonHarness.Cni add = h.cni("ADD", "ctr-" + n, n, h.netconf(""));
                assertEquals(0, add.exit(), add.toString());
                results.put(n, add.stdout());
                ObjectReader r = add.json();
                ObjectReader iface = r.optionalObjectList("interfaces").getFirst();
                assertEquals("eth0", iface.requiredString("name"));
                assertEquals(DaemonHarness.netnsPath(n), iface.requiredString("sandbox"));
                List<ObjectReader> ips = r.optionalObjectList("ips");
                assertEquals((h.ip4 ? 1 : 0) + (h.ip6 ? 1 : 0), ips.size(), add.stdout());
                List<String> bare = new ArrayList<>();
                for (ObjectReader ip : ips) {
                    String a = ip.requiredString("address");
                    bare.add(a.substring(0, a.indexOf('/')));
                }
                // primary family first, gateways are the first host address of the node's pod CIDR
                assertEquals(families.startsWith("IPv4") ? h.gateway4() : h.gateway6(), ips.getFirst().requiredString("gateway"));
                assertEquals(families.startsWith("IPv4"), !bare.getFirst().contains(":"));
                assertEquals(ips.size(), r.optionalObjectList("routes").size());
                assertTrue(DaemonHarness.links(n).contains(iface.requiredString("mac")), DaemonHarness.links(n));
                addresses.put(n, bare);
            }
            Set<String> all = new HashSet<>();
            addresses.values().forEach(all::addAll);
            assertEquals(4 * addresses.get(ns.get(0)).size(), all.size(), "addresses are distinct: " + addresses);

            String a = ns.get(0);
            String b = ns.get(1);
            String c = ns.get(2);
            String d = ns.get(3);
            for (int i = 0; i < addresses.get(a).size(); i++) {
                String bAddress = addresses.get(b).get(i);
                assertTrue(DaemonHarness.ping(a, bAddress), "pod a → pod b " + bAddress);
                assertTrue(DaemonHarness.ping(a, bAddress.contains(":") ? h.gateway6() : h.gateway4()), "pod a → gateway");
                assertTrue(DaemonHarness.ping(null, addresses.get(c).get(i)), "node → pod c " + addresses.get(c).get(i));
            }
            tcp(b, a, addresses.get(b).getFirst());
            spoofing(h, a, addresses.get(b).getFirst(), addresses.get(c).getFirst());

            // CHECK passes, then fails once the pod's default route is gone
            String prevA = "\"prevResult\":" + results.get(a);
            DaemonHarness.Cni check = h.cni("CHECK", "ctr-" + a, a, h.netconf(prevA));
            assertEquals(0, check.exit(), check.toString());
            NetnsFixture.run("ip", "-n", a, h.ip4 ? "-4" : "-6", "route", "del", "default");
            check = h.cni("CHECK", "ctr-" + a, a, h.netconf(prevA));
            assertEquals(1, check.exit(), check.toString());
            assertEquals(102, check.code(), check.toString());
            assertTrue(check.stdout().contains("default route"), check.stdout());

            // DEL twice: both succeed, the TAP and the addresses are gone
            for (int i = 0; i < 2; i++) {
                DaemonHarness.Cni del = h.cni("DEL", "ctr-" + a, a, h.netconf(prevA));
                assertEquals(0, del.exit(), del.toString());
            }
            assertFalse(DaemonHarness.links(a).contains("eth0"), DaemonHarness.links(a));
            assertFalse(ipamHolds(h, "ctr-" + a));

            // GC: d is not listed any more
            String valid = "\"cni.dev/valid-attachments\":[{\"containerID\":\"ctr-" + b + "\",\"ifname\":\"eth0\"},"
                    + "{\"containerID\":\"ctr-" + c + "\",\"ifname\":\"eth0\"}]";
            DaemonHarness.Cni gc = h.cni("GC", null, null, h.netconf(valid));
            assertEquals(0, gc.exit(), gc.toString());
            assertFalse(DaemonHarness.links(d).contains("eth0"), DaemonHarness.links(d));
            assertFalse(ipamHolds(h, "ctr-" + d));
            assertTrue(ipamHolds(h, "ctr-" + b) && ipamHolds(h, "ctr-" + c));
            assertEquals(2, h.getJson("/v1/pods").optionalObjectList("pods").size());

            DaemonHarness.Cni status = h.cni("STATUS", null, null, h.netconf(""));
            assertEquals(0, status.exit(), status.toString());

            // a clean stop keeps the pods' TAPs (they are persistent) and removes the host port
            h.stop();
            assertTrue(DaemonHarness.links(b).contains("eth0"));
            assertFalse(NetnsFixture.run("ip", "-o", "link", "show").contains(h.hostPort + ":"));
            assertFalse(Files.exists(h.socket()));
        }
    }

    private static boolean ipamHolds(DaemonHarness h, String containerId) throws Exception {
        for (ObjectReader a : h.getJson("/v1/ipam").optionalObjectList("allocations")) {
            if (a.requiredString("containerID").equals(containerId)) {
                return true;
            }
        }
        return false;
    }

    /** One second of iperf3 TCP from {@code clientNs} to a one-off server in {@code serverNs}. */
    private static void tcp(String serverNs, String clientNs, String serverAddress) throws Exception {
        int port = 15201 + (int) (Math.random() * 1000);
        Process server = new ProcessBuilder("ip", "netns", "exec", serverNs, "iperf3", "-s", "-1", "-p",
                Integer.toString(port)).redirectErrorStream(true).start();
        try {
            String out = null;
            for (int attempt = 0; attempt < 20 && out == null; attempt++) {
                try {
                    out = NetnsFixture.run("ip", "netns", "exec", clientNs, "iperf3", "-c", serverAddress, "-p",
                            Integer.toString(port), "-t", "1");
                } catch (IllegalStateException e) {
                    if (!e.getMessage().contains("Connection refused") && !e.getMessage().contains("unable to connect")) {
                        throw e;
                    }
                    Thread.sleep(100); // server not listening yet
                }
            }
            assertTrue(out != null && out.contains("receiver"), String.valueOf(out));
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Pod a claims pod b's address as its own and pings pod c from it: the switch drops the ARP/ND and
     * the IP packets (source guard) and counts them; nothing gets through.
     */
    private static void spoofing(DaemonHarness h, String a, String victim, String target) throws Exception {
        boolean v6 = victim.contains(":");
        long before = h.counterSum("spoofed");
        NetnsFixture.run("ip", "-n", a, "addr", "add", victim + (v6 ? "/128" : "/32"), "dev", "eth0", "nodad");
        try {
            assertFalse(pingOnce(a, target, victim), "a spoofed ping must not be answered");
        } finally {
            NetnsFixture.run("ip", "-n", a, "addr", "del", victim + (v6 ? "/128" : "/32"), "dev", "eth0");
        }
        long after = 0;
        for (int i = 0; i < 20 && after <= before; i++) {
            Thread.sleep(Daemon.STATS_PERIOD_MS / 4);
            after = h.counterSum("spoofed");
        }
        assertTrue(after > before, "spoof counters " + before + " → " + after);
    }

    private static boolean pingOnce(String ns, String target, String source) {
        try {
            NetnsFixture.run("ip", "netns", "exec", ns, "ping", "-c", "2", "-i", "0.2", "-W", "1", "-I", source, target);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }
}
