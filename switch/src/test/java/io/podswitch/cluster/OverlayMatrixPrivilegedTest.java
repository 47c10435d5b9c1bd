package io.podswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every address-family setup × overlay mode × uplink attachment of issue 6, three nodes with two
 * pods each, lighter than {@link OverlayClusterPrivilegedTest} (which runs everything on dual-stack
 * VXLAN over AF_XDP): one ping per ordered pod pair and family, a TCP and a UDP echo across one node
 * pair per family, pod → remote node and node → remote pod; for the tunnel modes of the single-stack
 * setups (one IPv4 and one IPv6 underlay per mode and attachment), tshark on the underlay decodes
 * VXLAN or Geneve with the configured VNI between node addresses of the underlay family.
 *
 * <p>One cluster per family setup: the setups come grouped by families, and between two setups of the
 * same families the daemons are restarted on the new config ({@link ClusterHarness#reconfigure}) while
 * namespaces and pods stay (pod MTU 1400 fits every mode's path). That keeps the 29 setups within a
 * few minutes on two shared cores.
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverlayMatrixPrivilegedTest {
    private static final int POD_MTU = 1400;
    private ClusterHarness h;

    static Stream<Arguments> setups() {
        List<Arguments> all = new ArrayList<>();
        for (String families : List.of("IPv4", "IPv6", "IPv4,IPv6", "IPv6,IPv4")) {
            for (String attach : List.of("af_xdp", "udp")) {
                for (String mode : List.of("vxlan", "geneve", "direct")) {
                    if (!(attach.equals("af_xdp") && mode.equals("vxlan") && families.equals("IPv4,IPv6"))) {
                        all.add(Arguments.of(families, mode, attach));
                    }
                }
            }
            // The tap uplink (whole tunnel super-frames): VXLAN on every family setup, Geneve on both
            // single-stack underlays; in direct mode it is the udp attachment.
            all.add(Arguments.of(families, "vxlan", "tap"));
            if (!families.contains(",")) {
                all.add(Arguments.of(families, "geneve", "tap"));
            }
        }
        return all.stream();
    }

    @AfterAll
    void stopCluster() {
        if (h != null) {
            h.close();
            assertTrue(h.leftoverNamespaces().isEmpty(), "left behind: " + h.leftoverNamespaces());
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("setups")
    void threeNodesTwoPodsEach(String families, String mode, String attach) throws Exception {
        ClusterLayout layout = ClusterLayout.of(families, mode, attach, 3);
        start(layout);
        ClusterChecks c = new ClusterChecks(h);
        c.pingEveryPair();
        ClusterPod a1 = h.pods().get(0);
        ClusterPod b2 = h.pods().get(3);
        ClusterPod c1 = h.pods().get(4);
        for (String f : h.layout().families()) {
            c.expectNull(PodEcho.tcpRoundTrip(a1.netns(), b2.address(f), ClusterChecks.ECHO_PORT, 65536));
            c.expectNull(PodEcho.udpRoundTrip(a1.netns(), b2.address(f), ClusterChecks.ECHO_PORT, 1000));
            c.expect(ClusterHarness.ping(c1.netns(), h.node(1).address(f)), "pod c1 → node-a " + f);
            c.expect(ClusterHarness.ping(h.node(2).netns(), c1.address(f)), "node-b → pod c1 " + f);
        }
        assertTrue(c.failures().isEmpty(), layout.label() + ": " + c.report() + "\n" + h.logs());
        if (!mode.equals("direct") && !families.contains(",")) {
            wireFormat(h, a1, c1); // single-stack setups cover both underlay families
        }
    }

    /**
     * The cluster for this setup: a new one when the families change (pods and an echo service
     * included), else the running one restarted on the new config. A daemon that refuses the setup
     * because this build lacks the piece it needs (it says "this build does not include …") aborts the
     * test with that sentence — reported as skipped with the reason, not passed.
     */
    private void start(ClusterLayout layout) throws Exception {
        try {
            if (h != null && h.layout().families().equals(layout.families())) {
                h.reconfigure(layout);
                return;
            }
            if (h != null) {
                h.close();
                h = null;
            }
            h = ClusterHarness.start(layout);
            h.addPods(2, POD_MTU);
            h.echo(h.pods().get(3), ClusterChecks.ECHO_PORT);
        } catch (IllegalStateException e) {
            String msg = String.valueOf(e.getMessage());
            int at = msg.indexOf("which this build does not include");
            Assumptions.assumeTrue(at < 0, () -> layout.label() + ": " + msg.substring(msg.lastIndexOf('\n', at) + 1,
                    msg.indexOf('\n', at) < 0 ? msg.length() : msg.indexOf('\n', at)));
            throw e;
        }
    }

    /** Two pings a1 → c1 in the primary family: four tunnel packets between node-a and node-c, with the VNI. */
    private static void wireFormat(ClusterHarness h, ClusterPod a1, ClusterPod c1) throws Exception {
        String f = h.layout().primary();
        List<String> packets = UnderlayCapture.tunnelPackets(h, 4, () -> {
            ClusterHarness.ping(a1.netns(), c1.address(f));
            ClusterHarness.ping(a1.netns(), c1.address(f));
        });
        assertEquals(4, packets.size(), h.layout().label() + ": " + packets);
        List<String> ends = List.of(h.node(1).address(h.layout().underlayFamily()), h.node(3).address(h.layout().underlayFamily()));
        for (String p : packets) {
            String[] field = p.split(" ");
            assertEquals(Integer.toString(h.layout().vni()), field[0], h.layout().label() + " VNI: " + packets);
            assertTrue(ends.contains(field[1]) && ends.contains(field[2]) && !field[1].equals(field[2]),
                    h.layout().label() + " outer addresses: " + packets);
        }
    }
}
