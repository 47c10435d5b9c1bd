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
import io.podswitch.nativeio.KernelRelease;
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
        try (TwoNodes c = new TwoNodes("{mode: vxlan, vni: 42, podMTU: 1450}", "af_xdp")) {
            String sfx = c.sfx;
            int net = c.net;
            Path dir = c.dir;
            String nodeA = c.nodeA;
            String nodeB = c.nodeB;
            String addrA = c.addrA;
            String addrB = c.addrB;
            String config = c.config;
            Map<String, Path> sockets = c.sockets;
            List<Process> daemons = c.daemons;
            List<String> namespaces = c.namespaces;
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

            // Garbage on the tunnel port from node b's kernel: a VXLAN header with the wrong VNI (99), and a
            // datagram too short for any tunnel header; the XDP program hands both to the switch, which
            // drops and counts them by reason. (A kernel UDP socket behind a veth sends a partial checksum
            // that nobody completes on the AF_XDP copy path — counted bad_checksum — so the sending veth
            // computes checksums itself here, as a NIC's wire packets always carry full ones.)
            NetnsFixture.run("ip", "netns", "exec", nodeB, "ethtool", "-K", "ub" + sfx, "tx", "off");
            String vniNinetyNine = "\\x08\\x00\\x00\\x00\\x00\\x00\\x63\\x00" + "\\x02\\x00\\x00\\x00\\x00\\x01".repeat(2)
                    + "\\x08\\x00" + "\\x00".repeat(46);
            NetnsFixture.run("ip", "netns", "exec", nodeB, "bash", "-c",
                    "printf '" + vniNinetyNine + "' > /dev/udp/" + addrA + "/4789; printf 'xy' > /dev/udp/" + addrA + "/4789");
            ObjectReader drops = awaitDrop(sockets.get("a"), "decap.bad_vni");
            assertTrue(drops.optionalLong("decap.too_short", 0, Long.MAX_VALUE, 0) >= 1, drops.object().toString());

            // podswitch peers, as an operator runs it.
            java.io.ByteArrayOutputStream table = new java.io.ByteArrayOutputStream();
            int exit = io.podswitch.daemon.cli.ClientCommand.run(new String[] {"peers", "--socket",
                    sockets.get("a").toString()}, Map.of(), new java.io.PrintStream(table, true),
                    new java.io.PrintStream(table, true));
            System.out.println(table);
            assertEquals(0, exit, table.toString());
            assertTrue(table.toString().contains(" resolved "), table.toString());

            // The kernel's neighbour entry for b changes: the tunnel peer follows (its template holds the
            // MAC); traffic then goes to the wrong MAC until the entry is right again.
            String realMac = peer.requiredString("nextHopMac");
            NetnsFixture.run("ip", "-n", nodeA, "neigh", "replace", addrB, "lladdr", "02:00:5e:00:53:01", "dev", "ua" + sfx);
            awaitPeerMac(sockets.get("a"), "02:00:5e:00:53:01");
            NetnsFixture.run("ip", "-n", nodeA, "neigh", "replace", addrB, "lladdr", realMac, "dev", "ua" + sfx);
            awaitPeerMac(sockets.get("a"), realMac);
            assertTrue(DaemonHarness.ping(podA, ipB), "pod a → pod b with the MAC restored");

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
            // Node b got the transfer as MTU-sized VXLAN packets and handed pod b super-frames (GRO).
            assertTrue(counter(sockets.get("b"), "offload.tx_coalesced") > 2 * counter(sockets.get("b"), "offload.tx_large"),
                    "segments coalesced on node b's pod TAP: " + counter(sockets.get("b"), "offload.tx_coalesced"));

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
            try {
                awaitLog(dir.resolve("a").resolve("daemon.log"), "reload (SIGHUP)");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + signalsAndThreads(daemons.get(0)), e);
            }
            assertTrue(daemons.get(0).isAlive(), "SIGHUP does not stop the daemon");
            assertTrue(DaemonHarness.ping(podA, ipB), "pod a → pod b after removing c");

            // SIGKILL node a's daemon: the XDP program is gone with it, the node reaches node b itself.
            daemons.get(0).destroyForcibly();
            assertTrue(daemons.get(0).waitFor(AWAIT_SECONDS, TimeUnit.SECONDS));
            String link = NetnsFixture.run("ip", "-d", "-n", nodeA, "link", "show", "ua" + sfx);
            assertFalse(link.contains("prog/xdp"), link);
            assertTrue(DaemonHarness.ping(nodeA, addrB), "node a → node b after the kill");
            assertTrue(DaemonHarness.ping(nodeB, addrA), "node b → node a after the kill");
        }
    }

    /**
     * {@code attach: tap}: a pod's TCP super-frames cross the underlay whole — tshark on node b's veth sees
     * VXLAN packets far above the 1500-byte MTU, node a wrapped super-frames whole
     * ({@code overlay-encap.tunnel_gso}) and node b's uplink read them whole ({@code offload.rx_large}).
     * The tcx program on the NIC steals the tunnel port from the kernel (a kernel UDP socket on it gets
     * nothing) and, after a SIGKILL of the daemon, the TAP and both programs are gone: the socket gets the
     * datagram, the nodes still reach each other.
     */
    @Test
    void tapUplinkCarriesSuperFramesWholeAndAKillLeavesNothing() throws Exception {
        try (TwoNodes c = new TwoNodes("{mode: vxlan, vni: 42, podMTU: 1450}", "tap")) {
            String podA = "ppA" + c.sfx;
            String podB = "ppB" + c.sfx;
            addPod(podA, c.namespaces, c.sockets.get("a"), "ca" + c.sfx);
            String ipB = addPod(podB, c.namespaces, c.sockets.get("b"), "cb" + c.sfx);
            assertTrue(DaemonHarness.ping(podA, ipB), "pod a → pod b\n" + logs(c.dir));

            Process capture = new ProcessBuilder("ip", "netns", "exec", c.nodeB, "tshark", "-l", "-n", "-i", "ub" + c.sfx,
                    "-a", "duration:20", "-c", "3", "-f", "udp dst port 4789 and greater 3000",
                    "-T", "fields", "-e", "frame.len", "-e", "vxlan.vni")
                    .redirectError(c.dir.resolve("tshark.err").toFile()).start();
            Process server = new ProcessBuilder("ip", "netns", "exec", podB, "iperf3", "-s", "-1").redirectErrorStream(true)
                    .redirectOutput(c.dir.resolve("iperf3-server.log").toFile()).start();
            List<String> big;
            try {
                awaitLog(c.dir.resolve("tshark.err"), "Capturing on");
                Thread.sleep(300);
                String client = NetnsFixture.run("ip", "netns", "exec", podA, "iperf3", "-c", ipB, "-n", "64M");
                assertTrue(client.contains("sender"), client);
                assertTrue(capture.waitFor(AWAIT_SECONDS, TimeUnit.SECONDS), "tshark did not finish");
                big = new String(capture.getInputStream().readAllBytes()).lines().filter(l -> !l.isBlank()).toList();
            } finally {
                server.destroy();
                server.waitFor(5, TimeUnit.SECONDS);
                capture.destroyForcibly();
            }
            assertEquals(3, big.size(), "VXLAN packets above 3000 bytes on the underlay: " + big + "\n" + logs(c.dir));
            for (String line : big) {
                String[] f = line.split("\t");
                assertTrue(Integer.parseInt(f[0]) > 3000, line);
                assertEquals("42", f[1], line);
            }
            assertTrue(counter(c.sockets.get("a"), "overlay-encap.tunnel_gso") > 0, "node a wrapped super-frames whole");
            assertEquals(0, counter(c.sockets.get("a"), "overlay-encap.software_gso"), "node a cut nothing");
            assertTrue(counter(c.sockets.get("b"), "uplink.ub" + c.sfx + ".offload.rx_large") > 0,
                    "node b read super-frames whole");

            // The NIC program steals the tunnel port: a kernel socket on it gets nothing while the daemon runs.
            assertEquals("", udpToNodeA(c), "a datagram to node a's tunnel port reached the kernel");
            c.daemons.get(0).destroyForcibly();
            assertTrue(c.daemons.get(0).waitFor(AWAIT_SECONDS, TimeUnit.SECONDS));
            String links = NetnsFixture.run("ip", "-n", c.nodeA, "-o", "link", "show");
            assertFalse(links.contains(io.podswitch.daemon.uplink.TapUplink.TAP_NAME), links);
            assertEquals("b'xy'", udpToNodeA(c), "after the kill the tunnel port is the kernel's again");
            assertTrue(DaemonHarness.ping(c.nodeA, c.addrB), "node a → node b after the kill");
            assertTrue(DaemonHarness.ping(c.nodeB, c.addrA), "node b → node a after the kill");
        }
    }

    /**
     * {@code attach: auto}: with a tunnel, the tap uplink on a kernel whose TAP takes the UDP tunnel offloads
     * (6.17+), else af_xdp; in direct mode af_xdp. Pods reach each other either way, the daemon logs its choice
     * and the tunnel TAP exists exactly when tap was chosen.
     */
    @Test
    void autoUplinkIsTapWhereTheKernelHasItElseAfXdp() throws Exception {
        boolean tunnelTap = KernelRelease.atLeast(6, 17);
        // vxlan with no attach key (auto is the default), direct with auto spelled out
        for (String overlay : List.of("{mode: vxlan, vni: 42, podMTU: 1450}", "{mode: direct, podMTU: 1500}")) {
            boolean tap = tunnelTap && overlay.contains("vxlan");
            String chosen = tap ? "tap" : "af_xdp";
            try (TwoNodes c = new TwoNodes(overlay, overlay.contains("vxlan") ? null : "auto")) {
                String podA = "pqA" + c.sfx;
                String podB = "pqB" + c.sfx;
                addPod(podA, c.namespaces, c.sockets.get("a"), "qa" + c.sfx);
                String ipB = addPod(podB, c.namespaces, c.sockets.get("b"), "qb" + c.sfx);
                assertTrue(DaemonHarness.ping(podA, ipB), overlay + ": pod a → pod b\n" + logs(c.dir));
                String log = Files.readString(c.dir.resolve("a").resolve("daemon.log"));
                assertTrue(log.contains("uplink.attach auto: " + chosen + " (auto: "), overlay + "\n" + log);
                String links = NetnsFixture.run("ip", "-n", c.nodeA, "-o", "link", "show");
                assertEquals(tap, links.contains(io.podswitch.daemon.uplink.TapUplink.TAP_NAME), overlay + "\n" + links);
                assertFalse(links.contains("podswitch-probe"), "the probe's TAP is gone\n" + links);
                // podswitch peers says what runs and why
                ObjectReader uplink = json(c.sockets.get("a"), "/v1/peers").optionalObject("uplink");
                assertEquals("ua" + c.sfx, uplink.requiredString("interface"));
                assertEquals(chosen, uplink.requiredString("attach"), overlay);
                assertEquals("auto", uplink.requiredString("configured"), overlay);
                assertTrue(uplink.requiredString("reason").contains(tap ? "takes the UDP tunnel offloads"
                        : overlay.contains("direct") ? "direct mode" : "tap needs Linux 6.17+"), uplink.requiredString("reason"));
            }
        }
    }

    /** Sends "xy" from node b to node a's tunnel port; what a kernel UDP socket bound there got ("" = nothing). */
    private static String udpToNodeA(TwoNodes c) throws Exception {
        Process receiver = new ProcessBuilder("ip", "netns", "exec", c.nodeA, "python3", "-c",
                "import socket,sys\n"
                        + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                        + "s.bind(('" + c.addrA + "',4789))\n"
                        + "print('bound',flush=True)\n"
                        + "s.settimeout(2)\n"
                        + "try:\n    print(s.recv(100))\nexcept socket.timeout:\n    print('')\n")
                .redirectErrorStream(true).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(receiver.getInputStream()));
            assertEquals("bound", out.readLine());
            NetnsFixture.run("ip", "netns", "exec", c.nodeB, "bash", "-c", "printf 'xy' > /dev/udp/" + c.addrA + "/4789");
            String line = out.readLine();
            assertTrue(receiver.waitFor(AWAIT_SECONDS, TimeUnit.SECONDS));
            return line == null ? "" : line.strip();
        } finally {
            receiver.destroyForcibly();
        }
    }

    /**
     * Direct routing: with an AF_XDP uplink the switches rewrite to each other's MACs (the XDP program
     * takes this node's pod CIDRs); with a UDP attachment the kernels route the pod CIDRs to each other
     * ({@code ip_forward} on — podswitchd sets it — as on any router) and the switches hand remote pod
     * traffic to the host TAP.
     */
    @Test
    void twoNodesDirectRoutingWithBothAttachments() throws Exception {
        for (String attach : List.of("af_xdp", "udp")) {
            try (TwoNodes c = new TwoNodes("{mode: direct, podMTU: 1500}", attach)) {
                String podA = "ppA" + c.sfx;
                String podB = "ppB" + c.sfx;
                String ipA = addPod(podA, c.namespaces, c.sockets.get("a"), "ca" + c.sfx);
                String ipB = addPod(podB, c.namespaces, c.sockets.get("b"), "cb" + c.sfx);
                assertTrue(DaemonHarness.ping(podA, ipB), attach + ": pod a → pod b\n" + logs(c.dir));
                assertTrue(DaemonHarness.ping(podB, ipA), attach + ": pod b → pod a\n" + logs(c.dir));
                assertTrue(DaemonHarness.ping(c.nodeA, ipB), attach + ": node a → pod b\n" + logs(c.dir));
                ObjectReader peer = json(c.sockets.get("a"), "/v1/peers").optionalObjectList("peers").getFirst();
                assertEquals("direct", peer.requiredString("mode"));
                if (attach.equals("udp")) {
                    assertEquals("kernel-routed", peer.requiredString("state"));
                    String routes = NetnsFixture.run("ip", "-n", c.nodeA, "route", "show", "10.251.2.0/24");
                    assertTrue(routes.contains("via " + c.addrB + " dev ua" + c.sfx), routes);
                    // A clean stop (SIGTERM) takes the kernel routes it installed with it.
                    c.daemons.get(0).destroy();
                    assertTrue(c.daemons.get(0).waitFor(2 * AWAIT_SECONDS, TimeUnit.SECONDS), "podswitchd stops on SIGTERM");
                    assertEquals("", NetnsFixture.run("ip", "-n", c.nodeA, "route", "show", "10.251.2.0/24").strip());
                    assertTrue(Files.readString(c.dir.resolve("a").resolve("daemon.log")).contains("podswitchd: stopped"));
                } else {
                    assertEquals("resolved", peer.requiredString("state"));
                    String routes = get(c.sockets.get("a"), "/v1/routes").bodyText();
                    assertTrue(routes.contains("\"prefix\":\"10.251.2.0/24\",\"kind\":\"rewrite\""), routes);
                }
            }
        }
    }

    /**
     * Dual-stack pods over a Geneve tunnel with an IPv6 underlay, two workers per daemon: the next hop is
     * resolved by the kernel's neighbour discovery (a managed ND entry); IPv4 and IPv6 pods reach each
     * other and the other node, their traffic handed to the uplink's worker through the shared TX ring.
     */
    @Test
    void dualStackOverGeneveWithAnIpv6Underlay() throws Exception {
        try (TwoNodes c = new TwoNodes("{mode: geneve, vni: 7, underlayFamily: IPv6}", "af_xdp", true)) {
            List<String> a = addPodAll("ppA" + c.sfx, c.namespaces, c.sockets.get("a"), "ca" + c.sfx);
            List<String> b = addPodAll("ppB" + c.sfx, c.namespaces, c.sockets.get("b"), "cb" + c.sfx);
            assertEquals(2, a.size());
            for (int i = 0; i < 2; i++) {
                assertTrue(DaemonHarness.ping("ppA" + c.sfx, b.get(i)), "pod a → pod b " + b.get(i) + "\n" + logs(c.dir));
                assertTrue(DaemonHarness.ping("ppB" + c.sfx, a.get(i)), "pod b → pod a " + a.get(i));
                assertTrue(DaemonHarness.ping(c.nodeA, b.get(i)), "node a → pod b " + b.get(i));
            }
            assertTrue(DaemonHarness.ping("ppA" + c.sfx, c.addr6B), "pod a → node b over IPv6");
            ObjectReader peer = json(c.sockets.get("a"), "/v1/peers").optionalObjectList("peers").getFirst();
            assertEquals(c.addr6B, peer.requiredString("nextHop"));
            assertEquals("resolved", peer.requiredString("state"));
            assertTrue(counter(c.sockets.get("b"), "overlay.peer.a.decap_packets") >= 6);
            assertTrue(get(c.sockets.get("a"), "/v1/counters").bodyText().contains("shared_tx_ring_full"),
                    "two workers: the uplink transmits through the shared ring");
            assertEquals(0, counter(c.sockets.get("a"), "shared_tx_ring_full"));
            String pods = get(c.sockets.get("a"), "/v1/pods").bodyText();
            assertTrue(pods.contains("\"worker\":0"), "the pod is on worker 0, the uplink on worker 1: " + pods);
            assertTrue(pods.contains("\"mtu\":1430"), "pod MTU = 1500 − 70 (Geneve over IPv6): " + pods);
        }
    }

    /**
     * Two node namespaces on a veth pair (the underlay), each with its own podswitchd JVM inside; the
     * same config with {@code node:} set per node. Everything is removed on {@link #close}, also after a
     * failure.
     */
    private static final class TwoNodes implements AutoCloseable {
        final String sfx = NetnsFixture.suffix();
        final int net = ThreadLocalRandom.current().nextInt(1, 255);
        final Path dir;
        final String nodeA = "pcA" + sfx;
        final String nodeB = "pcB" + sfx;
        final String addrA = "192.168." + net + ".1";
        final String addrB = "192.168." + net + ".2";
        final String config;
        final List<String> namespaces = new ArrayList<>();
        final List<Process> daemons = new ArrayList<>();
        final Map<String, Path> sockets = new HashMap<>();

        final boolean dualStack;
        final String addr6A = "fd00:192:" + Integer.toHexString(net) + "::1";
        final String addr6B = "fd00:192:" + Integer.toHexString(net) + "::2";

        /** @param attach the nodes' {@code uplink.attach}, null to leave it to the default */
        TwoNodes(String overlay, String attach) throws Exception {
            this(overlay, attach, false);
        }

        private static String attachKey(String attach) {
            return attach == null ? "" : ", attach: " + attach;
        }

        final int workers;

        /**
         * @param dualStack IPv4 + IPv6 pods and node addresses (else IPv4 only); with it, two workers per
         *                  daemon (the host TAP and the pod on one, the uplink on the other)
         */
        TwoNodes(String overlay, String attach, boolean dualStack) throws Exception {
            this.dualStack = dualStack;
            this.workers = dualStack ? 2 : 1;
            dir = Files.createTempDirectory("podswitch-cluster-");
            config = dualStack ? dualStackConfig(overlay, attach) : "ipFamilies: [IPv4]\n"
                    + "podCIDRs: [10.251.0.0/16]\n"
                    + "serviceCIDRs: [10.97.0.0/16]\n"
                    + "nodeCIDRs: [192.168." + net + ".0/24]\n"
                    + "overlay: " + overlay + "\n"
                    + "nodes:\n"
                    + "  - name: a\n"
                    + "    addresses: [" + addrA + "]\n"
                    + "    podCIDRs: [10.251.1.0/24]\n"
                    + "    uplink: {interface: ua" + sfx + ", mtu: 1500" + attachKey(attach) + "}\n"
                    + "  - name: b\n"
                    + "    addresses: [" + addrB + "]\n"
                    + "    podCIDRs: [10.251.2.0/24]\n"
                    + "    uplink: {interface: ub" + sfx + ", mtu: 1500" + attachKey(attach) + "}\n";
            try {
                for (String ns : List.of(nodeA, nodeB)) {
                    NetnsFixture.run("ip", "netns", "add", ns);
                    namespaces.add(ns);
                    NetnsFixture.run("ip", "-n", ns, "link", "set", "lo", "up");
                    // no ip_forward here: podswitchd turns it on (the udp/direct case needs it)
                }
                NetnsFixture.run("ip", "link", "add", "ua" + sfx, "netns", nodeA, "type", "veth", "peer", "name",
                        "ub" + sfx, "netns", nodeB);
                NetnsFixture.run("ip", "-n", nodeA, "addr", "add", addrA + "/24", "dev", "ua" + sfx);
                NetnsFixture.run("ip", "-n", nodeB, "addr", "add", addrB + "/24", "dev", "ub" + sfx);
                if (dualStack) {
                    NetnsFixture.run("ip", "-n", nodeA, "addr", "add", addr6A + "/64", "dev", "ua" + sfx, "nodad");
                    NetnsFixture.run("ip", "-n", nodeB, "addr", "add", addr6B + "/64", "dev", "ub" + sfx, "nodad");
                }
                NetnsFixture.run("ip", "-n", nodeA, "link", "set", "ua" + sfx, "up");
                NetnsFixture.run("ip", "-n", nodeB, "link", "set", "ub" + sfx, "up");
                for (String node : List.of("a", "b")) {
                    Path nodeDir = Files.createDirectories(dir.resolve(node));
                    Files.writeString(nodeDir.resolve("cluster.yaml"), "node: " + node + "\n" + config);
                    sockets.put(node, nodeDir.resolve("run").resolve("podswitchd.sock"));
                    daemons.add(startDaemon(node.equals("a") ? nodeA : nodeB, nodeDir, "psw" + node + sfx, workers));
                }
                awaitReady(daemons.get(0), sockets.get("a"), dir.resolve("a"));
                awaitReady(daemons.get(1), sockets.get("b"), dir.resolve("b"));
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        private String dualStackConfig(String overlay, String attach) {
            String n6 = Integer.toHexString(net);
            return "ipFamilies: [IPv4, IPv6]\n"
                    + "podCIDRs: [10.251.0.0/16, \"fd00:251::/48\"]\n"
                    + "serviceCIDRs: [10.97.0.0/16, \"fd00:97::/112\"]\n"
                    + "nodeCIDRs: [192.168." + net + ".0/24, \"fd00:192:" + n6 + "::/64\"]\n"
                    + "overlay: " + overlay + "\n"
                    + "nodes:\n"
                    + "  - name: a\n"
                    + "    addresses: [" + addrA + ", \"" + addr6A + "\"]\n"
                    + "    podCIDRs: [10.251.1.0/24, \"fd00:251:0:1::/64\"]\n"
                    + "    uplink: {interface: ua" + sfx + ", mtu: 1500" + attachKey(attach) + "}\n"
                    + "  - name: b\n"
                    + "    addresses: [" + addrB + ", \"" + addr6B + "\"]\n"
                    + "    podCIDRs: [10.251.2.0/24, \"fd00:251:0:2::/64\"]\n"
                    + "    uplink: {interface: ub" + sfx + ", mtu: 1500, attach: " + attach + "}\n";
        }

        @Override
        public void close() throws Exception {
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

    private static Process startDaemon(String netns, Path nodeDir, String hostPort, int workers) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(DaemonHarness.JVM_FLAGS);
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Podswitchd.class.getName(), "--config", nodeDir.resolve("cluster.yaml").toString(),
                "--state-dir", nodeDir.resolve("state").toString(), "--run-dir", nodeDir.resolve("run").toString(),
                "--host-port", hostPort, "--max-pods", "16", "--frames", "8192", "--workers", Integer.toString(workers)));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("daemon.log").toFile())).start();
    }

    /**
     * Waits until the daemon answers its control socket. The deadline only bounds a hang: two daemon JVMs
     * starting at once on a 2-core machine that runs other suites take minutes, not seconds (seen: no log
     * line at all within 60 s at load 21), so it is generous, and a timeout shows the daemon's threads.
     */
    private static void awaitReady(Process daemon, Path socket, Path nodeDir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
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
        throw new IllegalStateException("podswitchd did not answer in 180 s: " + Files.readString(nodeDir.resolve("daemon.log"))
                + "\n" + signalsAndThreads(daemon));
    }

    /** Creates a pod namespace, runs CNI ADD against {@code socket}; returns the pod's first address. */
    private static String addPod(String ns, List<String> namespaces, Path socket, String containerId) throws Exception {
        return addPodAll(ns, namespaces, socket, containerId).getFirst();
    }

    /** Creates a pod namespace, runs CNI ADD against {@code socket}; returns the pod's addresses, primary first. */
    private static List<String> addPodAll(String ns, List<String> namespaces, Path socket, String containerId)
            throws Exception {
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
        List<String> out = new ArrayList<>();
        for (ObjectReader ip : add.json().optionalObjectList("ips")) {
            String address = ip.requiredString("address");
            out.add(address.substring(0, address.indexOf('/')));
        }
        return out;
    }

    private static void replaceFile(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * How long the waits below give the daemons to reach a state: a bound on a hang, never a measurement. Each
     * returns as soon as its condition holds; on a 2-core machine shared with other suites (load 20+) a
     * reload or a kernel event can take seconds.
     */
    private static final long AWAIT_SECONDS = 30;

    private static void awaitPeers(Path socket, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        int seen = -1;
        while (System.nanoTime() < deadline) {
            seen = json(socket, "/v1/peers").optionalObjectList("peers").size();
            if (seen == count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("expected " + count + " peers within " + AWAIT_SECONDS + " s, saw " + seen);
    }

    /** Waits until {@code /v1/peers} counts a drop of {@code reason}; returns the drops. */
    private static ObjectReader awaitDrop(Path socket, String reason) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        ObjectReader drops = null;
        while (System.nanoTime() < deadline) {
            drops = json(socket, "/v1/peers").optionalObject("drops");
            if (drops.optionalLong(reason, 0, Long.MAX_VALUE, 0) >= 1) {
                return drops;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + reason + " drop counted: " + (drops == null ? "" : drops.object()));
    }

    private static void awaitPeerMac(Path socket, String mac) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        String seen = "";
        while (System.nanoTime() < deadline) {
            seen = json(socket, "/v1/peers").optionalObjectList("peers").getFirst().requiredString("nextHopMac");
            if (seen.equals(mac)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("peer MAC " + seen + ", expected " + mac);
    }

    /** Waits until the route whose JSON starts with {@code route} shows {@code field}. */
    private static void awaitRoute(Path socket, String route, String field) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in the log: " + Files.readString(log));
    }

    /** For a failed SIGHUP wait: the daemon's signal masks (SigIgn bit 0 = SIGHUP ignored) and its threads. */
    private static String signalsAndThreads(Process daemon) {
        StringBuilder out = new StringBuilder();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(daemon.pid()), "status"))) {
                if (line.startsWith("Sig") || line.startsWith("ShdPnd")) {
                    out.append(line).append('\n');
                }
            }
            Path dump = Files.createTempFile("podswitchd-threads", ".txt");
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(daemon.pid()), "Thread.print").redirectErrorStream(true).redirectOutput(dump.toFile())
                    .start();
            if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
            }
            out.append(Files.readString(dump));
            Files.delete(dump);
        } catch (Exception e) {
            out.append("(no diagnostics: ").append(e).append(')');
        }
        return out.toString();
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
