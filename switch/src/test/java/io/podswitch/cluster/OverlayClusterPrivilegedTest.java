package io.podswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The issue-6 checks in full on the representative cluster: dual-stack (IPv4 primary), VXLAN over
 * the AF_XDP uplink (said explicitly: the default is auto; the XDP checks below need AF_XDP), three nodes with two pods each — one cluster, reused by
 * every check in order: the full connectivity matrix (ping, TCP, UDP; pod ↔ pod, pod → remote node,
 * node → remote pod, both families), the encapsulation on the wire as tshark decodes it, garbage on
 * the tunnel port, path MTU discovery, and a node's daemon dying and coming back.
 * (The other family × mode × attachment combinations: {@link OverlayMatrixPrivilegedTest}.)
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverlayClusterPrivilegedTest {
    private ClusterHarness h;

    @BeforeAll
    void startCluster() throws Exception {
        h = ClusterHarness.start(ClusterLayout.of("IPv4,IPv6", "vxlan", "af_xdp", 3));
        h.addPods(2);
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
    void everyPodReachesEveryPodAndEveryRemoteNode() throws Exception {
        ClusterChecks c = new ClusterChecks(h);
        c.pingEveryPair();
        c.tcpAndUdpEveryPair();
        c.podsAndRemoteNodes();
        assertTrue(c.failures().isEmpty(), c.report() + "\n" + h.logs());
        assertEquals(6 * 5 * 2 * 3 + 6 * 2 * 2 * 2, c.checks());
    }

    @Test
    @Order(2)
    void theUnderlayCarriesVxlanWithTheConfiguredVni() throws Exception {
        ClusterPod a1 = pod("a1");
        ClusterPod b1 = pod("b1");
        List<String> packets = UnderlayCapture.tunnelPackets(h, 4, () -> {
            ClusterHarness.ping(a1.netns(), b1.address("IPv4"));
            ClusterHarness.ping(a1.netns(), b1.address("IPv6"));
        });
        assertEquals(4, packets.size(), packets.toString());
        for (String p : packets) {
            String[] f = p.split(" ");
            assertEquals("42", f[0], "VNI as tshark decodes it: " + packets);
            assertTrue(List.of(ClusterLayout.node4(1), ClusterLayout.node4(2)).contains(f[1]), "outer source " + p);
            assertTrue(List.of(ClusterLayout.node4(1), ClusterLayout.node4(2)).contains(f[2]), "outer destination " + p);
            assertFalse(f[1].equals(f[2]), p);
        }
    }

    @Test
    @Order(3)
    void garbageOnTheTunnelPortIsDroppedAndCounted() throws Exception {
        NodeDaemon a = h.node(1).daemon();
        String target = ClusterLayout.node4(1);
        int port = h.layout().udpPort();
        long shortBefore = a.counterSum("decap.drop.too_short");
        long vniBefore = a.counterSum("decap.drop.bad_vni");
        long peerBefore = a.counterSum("decap.drop.unknown_peer");
        // A veth hands the kernel's UDP packets over with the checksum still to be filled in (TX offload);
        // a NIC would fill it in on the wire, but the peer's XDP program sees the frame first. Turn the
        // offload off on the senders, so the garbage arrives as it would from a real NIC.
        Sh.runIn(h.node(2).netns(), "ethtool", "-K", ClusterHarness.UPLINK, "tx", "off");
        Sh.runIn(h.underlayNetns(), "ethtool", "-K", ClusterHarness.BRIDGE, "tx", "off");
        // from node-b (a known peer): a truncated header, then a well-formed one with the wrong VNI
        OverlayGarbage.send(h.node(2).netns(), ClusterLayout.node4(2), target, port, new byte[] {0x08, 0, 0}, 5);
        OverlayGarbage.send(h.node(2).netns(), ClusterLayout.node4(2), target, port, OverlayGarbage.tunnelDatagram("vxlan", 7), 5);
        // from a stranger on the underlay bridge: the right VNI, but no node has this address
        Sh.run("ip", "-n", h.underlayNetns(), "addr", "add", "192.168.77.250/24", "dev", ClusterHarness.BRIDGE);
        OverlayGarbage.send(h.underlayNetns(), "192.168.77.250", target, port, OverlayGarbage.tunnelDatagram("vxlan", 42), 5);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline && !(a.counterSum("decap.drop.too_short") >= shortBefore + 5
                && a.counterSum("decap.drop.bad_vni") >= vniBefore + 5
                && a.counterSum("decap.drop.unknown_peer") >= peerBefore + 5)) {
            Thread.sleep(100);
        }
        String counters = a.counters("decap.drop");
        assertEquals(shortBefore + 5, a.counterSum("decap.drop.too_short"), counters);
        assertEquals(vniBefore + 5, a.counterSum("decap.drop.bad_vni"), counters);
        assertEquals(peerBefore + 5, a.counterSum("decap.drop.unknown_peer"), counters);
        // and the data path is unharmed
        assertTrue(ClusterHarness.ping(pod("b1").netns(), pod("a1").address("IPv4")), h.logs());
    }

    @Test
    @Order(4)
    void pathMtuDiscoveryConvergesWhenThePodMtuIsLargerThanThePath() throws Exception {
        // pod MTU 1500 on a 1500-byte underlay with 50 bytes of VXLAN over IPv4: the path allows 1450
        ClusterPod big1 = h.addPod(1, "a9", 1500);
        ClusterPod big2 = h.addPod(2, "b9", 1500);
        assertTrue(Sh.runIn(big1.netns(), "ip", "link", "show", "eth0").contains("mtu 1500"));
        for (String f : h.layout().families()) {
            int port = 15201 + (f.equals("IPv4") ? 0 : 1);
            h.background(big2.netns(), "iperf3", "-s", "-1", "-p", Integer.toString(port));
            Sh.Result r = null;
            for (int attempt = 0; attempt < 20; attempt++) {
                r = Sh.exec(Duration.ofSeconds(40), Sh.inNetns(big1.netns(), "iperf3", "-c", big2.address(f), "-p",
                        Integer.toString(port), "-n", "8M", "-f", "m"));
                if (r.ok() || !r.out().contains("Connection refused") && !r.err().contains("Connection refused")) {
                    break;
                }
                Thread.sleep(100); // the server is not listening yet
            }
            assertTrue(r.ok() && r.out().contains("receiver"), f + ": " + r + "\n" + h.logs());
            // the sender learnt the path MTU from the switch's ICMP
            String cached = Sh.runIn(big1.netns(), "ip", f.equals("IPv4") ? "-4" : "-6", "route", "get", big2.address(f));
            assertTrue(cached.contains("mtu 1450") || cached.contains("mtu lock 1450") || cached.contains("mtu 14"), f + ": " + cached);
        }
    }

    @Test
    @Order(5)
    void aNodeWhoseDaemonDiesLeavesTheOthersWorkingAndResumesAfterRestart() throws Exception {
        ClusterPod a1 = pod("a1");
        ClusterPod b1 = pod("b1");
        ClusterPod c1 = pod("c1");
        h.crash(3);
        assertTrue(ClusterHarness.ping(a1.netns(), b1.address("IPv4")), "a ↔ b while node-c is down\n" + h.logs());
        assertTrue(ClusterHarness.ping(b1.netns(), a1.address("IPv6")), "b ↔ a while node-c is down");
        assertFalse(ClusterHarness.ping(a1.netns(), c1.address("IPv4"), 1), "node-c's pods have no data path while its daemon is dead");
        assertTrue(ClusterHarness.ping(h.node(1).netns(), ClusterLayout.node4(3)), "node-c itself stays reachable (the XDP program went with the daemon)");
        h.restart(3);
        boolean back = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!back && System.nanoTime() < deadline) {
            back = ClusterHarness.ping(a1.netns(), c1.address("IPv4"), 1);
        }
        assertTrue(back, "a1 → c1 after node-c's daemon restarted\n" + h.logs());
        assertTrue(ClusterHarness.ping(c1.netns(), b1.address("IPv6")), "c1 → b1 after the restart");
        assertTrue(ClusterHarness.ping(h.node(3).netns(), a1.address("IPv4")), "node-c → a1 after the restart");
    }

    private ClusterPod pod(String name) {
        return h.pods().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }
}
