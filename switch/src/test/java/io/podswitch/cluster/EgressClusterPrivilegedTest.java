package io.podswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 12, pods reach the outside, end to end on the cluster harness: two nodes (dual-stack, IPv4
 * primary, VXLAN over the AF_XDP uplink), a pod on each, and "the internet": a namespace on the underlay
 * that is the nodes' default gateway, with addresses outside every cluster range and a server that
 * greets each client with the source address it saw ({@link NamedServer}). It routes the pod CIDRs back
 * to node-a, so unmasqueraded traffic is answered too and the greeting tells which it was.
 * <pre>
 *   a1 (10.244.1.x) ─ switch ─ podswitch0 ─ node-a kernel: forward + masquerade ─ eth0 192.168.77.11 ─┐
 *                                                                                  underlay bridge ──┤
 *   internet ns: 192.168.77.254 (gateway), 203.0.113.10 / 2001:db8:77::10, server on 8080 ───────────┘
 * </pre>
 * The harness sets no forwarding sysctl: podswitchd does. One cluster for the class; the checks run in order.
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EgressClusterPrivilegedTest {
    private static final int PORT = 8080;
    private static final int NODE_PORT = 8081;
    private static final String SERVICE = """
            services:
              - name: web
                vips: [10.96.0.50, "fd00:10:96::32"]
                ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
                backends: [{address: %s}, {address: "%s"}]
            """;
    private ClusterHarness h;
    private ClusterPod a1;
    private ClusterPod b1;
    private String services;

    @BeforeAll
    void startCluster() throws Exception {
        h = ClusterHarness.start(ClusterLayout.of("IPv4,IPv6", "vxlan", "af_xdp", 2));
        try {
            h.addPods(1);
            a1 = pod("a1");
            b1 = pod("b1");
            String internet = h.internet(1);
            h.closeLater(NamedServer.start(internet, "internet", PORT));
            h.closeLater(NamedServer.start(b1.netns(), "b1", PORT));
            h.closeLater(NamedServer.start(h.node(2).netns(), "node-b", NODE_PORT));
            services = SERVICE.formatted(b1.address("IPv4"), b1.address("IPv6"));
            h.reconfigure(services);
            awaitGreeting(() -> hello("10.96.0.50", 80), greeting("b1", a1.address("IPv4")));
        } catch (Exception | Error e) {
            h.close();
            throw e;
        }
    }

    @AfterAll
    void stopCluster() {
        if (h != null) {
            h.close();
            assertTrue(h.leftoverNamespaces().isEmpty(), "left behind: " + h.leftoverNamespaces());
        }
    }

    @Test
    @Order(1)
    void podswitchdTurnsForwardingOnAndProgramsTheTable() {
        String ns = h.node(1).netns();
        assertEquals("1", Sh.runIn(ns, "cat", "/proc/sys/net/ipv4/ip_forward").strip());
        assertEquals("1", Sh.runIn(ns, "cat", "/proc/sys/net/ipv6/conf/all/forwarding").strip());
        String table = Sh.runIn(ns, "nft", "list", "table", "inet", "podswitch");
        assertTrue(table.contains("elements = { 10.96.0.0/16, 10.244.0.0/16,"), table);
        assertTrue(table.contains("192.168.77.0/24 }"), table);
        assertTrue(table.contains("masquerade to :32768-65535 fully-random"), table);
    }

    @Test
    @Order(2)
    void podsReachTheInternetWithTheNodesAddress() throws Exception {
        for (String family : List.of("IPv4", "IPv6")) {
            String target = family.equals("IPv4") ? ClusterHarness.INTERNET4 : ClusterHarness.INTERNET6;
            String node = nodeA(family);
            assertEquals(greeting("internet", node), hello(family), "TCP " + family + "\n" + h.logs());
            List<String> seen = echoRequestSources(family, () -> ClusterHarness.ping(a1.netns(), target));
            assertEquals(List.of(greeting("", node)), seen.stream().map(a -> greeting("", a)).toList(),
                    "ping " + family + ": the far side sees the node's address");
        }
        String counters = Sh.runIn(h.node(1).netns(), "nft", "list", "chain", "inet", "podswitch", "masquerade-pods");
        assertFalse(counters.contains("meta l4proto tcp counter packets 0 "), counters);
    }

    @Test
    @Order(3)
    void podToPodPodToServiceAndPodToNodeKeepThePodsAddress() {
        for (String family : List.of("IPv4", "IPv6")) {
            String self = a1.address(family);
            assertEquals(greeting("b1", self), hello(b1.address(family), PORT), "pod → pod " + family);
            String vip = family.equals("IPv4") ? "10.96.0.50" : "fd00:10:96::32";
            assertEquals(greeting("b1", self), hello(vip, 80), "pod → service " + family);
            String nodeB = family.equals("IPv4") ? ClusterLayout.node4(2) : ClusterLayout.node6(2);
            assertEquals(greeting("node-b", self), hello(nodeB, NODE_PORT), "pod → other node " + family);
        }
    }

    @Test
    @Order(4)
    void nonMasqueradeRangesAndMasqueradeFalseKeepThePodsAddressAfterAReload() throws Exception {
        try {
            h.reconfigure(services + "nonMasqueradeCIDRs: [203.0.113.0/24]\n");
            awaitGreeting(() -> hello("IPv4"), greeting("internet", a1.address("IPv4")));
            assertEquals(greeting("internet", nodeA("IPv6")), hello("IPv6"), "IPv6 is still masqueraded");

            h.reconfigure(services + "masquerade: false\n");
            awaitGreeting(() -> hello("IPv6"), greeting("internet", a1.address("IPv6")));
            assertEquals(greeting("internet", a1.address("IPv4")), hello("IPv4"));
            assertFalse(Sh.runIn(h.node(1).netns(), "nft", "list", "tables").contains("podswitch"),
                    "no table with masquerade: false");
        } finally {
            h.reconfigure(services);
        }
        awaitGreeting(() -> hello("IPv4"), greeting("internet", nodeA("IPv4")));
        assertEquals(greeting("internet", nodeA("IPv6")), hello("IPv6"));
    }

    @Test
    @Order(5)
    void aCleanStopRemovesEverythingAndARestartThroughForwardDropRestoresIt() throws Exception {
        String ns = h.node(1).netns();
        h.node(1).daemon().stop(); // SIGTERM
        assertFalse(Sh.runIn(ns, "nft", "list", "tables").contains("podswitch"), "a clean stop removes the table");
        // Docker's policy, set while podswitchd is down
        Sh.runIn(ns, "iptables", "-P", "FORWARD", "DROP");
        Sh.runIn(ns, "ip6tables", "-P", "FORWARD", "DROP");
        h.restart(1);
        for (String family : List.of("IPv4", "IPv6")) {
            awaitGreeting(() -> hello(family), greeting("internet", nodeA(family)));
        }
        for (String tool : List.of("iptables", "ip6tables")) {
            assertEquals(List.of("-P FORWARD DROP",
                    "-A FORWARD -i podswitch0 -m comment --comment \"podswitch: from pods (podswitch0)\" -j ACCEPT",
                    "-A FORWARD -o podswitch0 -m comment --comment \"podswitch: to pods (podswitch0)\" -j ACCEPT"),
                    Sh.runIn(ns, tool, "-S", "FORWARD").lines().toList(), tool);
        }

        h.crash(1); // kill -9: nothing runs, the table and the rules stay
        assertTrue(Sh.runIn(ns, "nft", "list", "tables").contains("table inet podswitch"));
        h.restart(1);
        assertEquals(1, Sh.runIn(ns, "nft", "list", "tables").lines().filter(l -> l.contains("podswitch")).count());
        assertEquals(3, Sh.runIn(ns, "iptables", "-S", "FORWARD").lines().count(), "the rules are not doubled");
        awaitGreeting(() -> hello("IPv4"), greeting("internet", nodeA("IPv4")));

        h.node(1).daemon().stop();
        assertFalse(Sh.runIn(ns, "nft", "list", "tables").contains("podswitch"));
        assertEquals(List.of("-P FORWARD DROP"), Sh.runIn(ns, "iptables", "-S", "FORWARD").lines().toList());
        assertEquals(List.of("-P FORWARD DROP"), Sh.runIn(ns, "ip6tables", "-S", "FORWARD").lines().toList());
    }

    /** a1's TCP connection to the internet's server over {@code family}: the greeting, canonical. */
    private String hello(String family) {
        return hello(family.equals("IPv4") ? ClusterHarness.INTERNET4 : ClusterHarness.INTERNET6, PORT);
    }

    /** a1's TCP connection to {@code address:port}: "NAME CLIENT" with the client address in one spelling. */
    private String hello(String address, int port) {
        String line = NamedServer.tcpHello(a1.netns(), address, port);
        String[] parts = line.split(" ");
        return parts.length == 2 ? greeting(parts[0], parts[1]) : line;
    }

    /** "NAME ADDRESS" with the address as Java spells it (the server prints IPv6 unabbreviated). */
    private static String greeting(String name, String address) {
        return (name.isEmpty() ? "" : name + " ") + InetAddress.ofLiteral(address).getHostAddress();
    }

    private static String nodeA(String family) {
        return family.equals("IPv4") ? ClusterLayout.node4(1) : ClusterLayout.node6(1);
    }

    /** Reloads and restarts take effect asynchronously: retries until the greeting is the expected one. */
    private void awaitGreeting(Supplier<String> greeting, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = greeting.get();
            if (expected.equals(last)) {
                return;
            }
            Thread.sleep(200);
        }
        assertEquals(expected, last, "after 30 s\n" + h.logs());
    }

    /** The source addresses of the ICMP echo requests the internet namespace receives while {@code traffic} runs. */
    private List<String> echoRequestSources(String family, Supplier<Boolean> traffic) throws Exception {
        String filter = family.equals("IPv4") ? "icmp[icmptype] == icmp-echo" : "icmp6 and ip6[40] == 128";
        CompletableFuture<Sh.Result> dump = CompletableFuture.supplyAsync(() -> Sh.exec(Duration.ofSeconds(20),
                Sh.inNetns("pcl" + h.id + "-inet", "tcpdump", "-n", "-l", "-c", "1", "-i", ClusterHarness.UPLINK, filter)));
        Thread.sleep(700); // tcpdump opens its socket asynchronously; nothing says when it is ready
        assertTrue(traffic.get(), family + " ping reaches the internet\n" + h.logs());
        Sh.Result r = dump.get();
        // "12:00:00.000000 IP 192.168.77.11 > 203.0.113.10: ICMP echo request, ..." / "IP6 fd00:77::b > 2001:db8:77::10: ICMP6, echo request"
        return r.out().lines().filter(l -> l.contains(" > ")).map(l -> l.split(" ")[2]).toList();
    }

    private ClusterPod pod(String name) {
        return h.pods().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }
}
