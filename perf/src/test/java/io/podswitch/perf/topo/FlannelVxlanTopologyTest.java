package io.podswitch.perf.topo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel baseline of the cross-node scenario: pods on two nodes reach each other through the
 * flannel-style VXLAN device (no learning, static FDB/neighbour/route), the underlay bridge carries
 * UDP 4789 with VNI 1 (decoded by tshark when it is installed), and closing the topology removes it all.
 */
@Tag("privileged")
class FlannelVxlanTopologyTest {

    @Test
    void podsOnTwoNodesTalkOverTheKernelsVxlanAndNothingIsLeft() throws Exception {
        String id;
        try (Topology t = Topology.create()) {
            id = t.id();
            CrossNodeUnderlay u = CrossNodeUnderlay.build(t, 2, 1500);
            CrossNodePath path = FlannelVxlanTopology.build(t, u);
            assertEquals("10.244.2.2", path.serverIp());
            String link = Exec.run(List.of("ip", "-n", u.nodes().get(0), "-d", "link", "show", "flannel.1"));
            assertTrue(link.contains("vxlan id 1") && link.contains("nolearning") && link.contains("mtu 1450"), link);
            String capture = "/tmp/flannel-" + id + ".pcap";
            try (BackgroundProcess dump = BackgroundProcess.start(Exec.inNetns(u.underlay(), "tcpdump", "-i", "br0", "-U",
                    "-c", "4", "-w", capture, "udp", "port", "4789"))) {
                Thread.sleep(500); // tcpdump needs a moment to open the socket
                assertTrue(Topology.ping(path.clientNs(), path.serverIp()));
                assertTrue(Topology.ping(path.clientNs(), path.serverIp()));
                assertTrue(dump.waitFor(5000), "tcpdump saw no 4 VXLAN packets on the underlay");
            }
            Exec.Result decoded = Exec.exec(List.of("tshark", "-r", capture, "-T", "fields", "-e", "vxlan.vni"),
                    Duration.ofSeconds(30));
            if (decoded.exitCode() == 0) {
                assertEquals(List.of("1", "1", "1", "1"), decoded.stdout().lines().toList(), decoded.stderr());
            }
            new java.io.File(capture).delete();
        }
        String left = Exec.run(List.of("ip", "netns", "list"));
        assertTrue(left.lines().noneMatch(l -> l.startsWith("psb" + id)), left);
    }
}
