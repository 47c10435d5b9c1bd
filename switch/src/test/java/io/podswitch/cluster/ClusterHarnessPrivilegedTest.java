package io.podswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster harness itself, on what every podswitchd does without peers: three nodes in
 * namespaces on an underlay bridge, one podswitchd JVM per node, two pods per node wired by the CNI
 * plugin; pods on the same node reach each other (ping, TCP, UDP) and their node reaches them, nodes
 * reach each other over the underlay; a daemon killed with -9 and restarted serves its pods again;
 * nothing is left behind.
 */
@Tag("privileged")
class ClusterHarnessPrivilegedTest {

    @Test
    void podsOnEachNodeReachEachOtherAndTeardownIsComplete() throws Exception {
        ClusterHarness h = ClusterHarness.start(ClusterLayout.of("IPv4,IPv6", "direct", null, 3));
        String id = h.id;
        try (h) {
            h.addPods(2);
            assertEquals(6, h.pods().size());
            List<String> failures = new ArrayList<>();
            for (ClusterNode n : h.nodes()) {
                List<ClusterPod> local = h.pods().stream().filter(p -> p.node() == n.index()).toList();
                ClusterPod a = local.get(0);
                ClusterPod b = local.get(1);
                h.echo(b, 7007);
                for (String family : h.layout().families()) {
                    check(failures, ClusterHarness.ping(a.netns(), b.address(family)), a.name() + " → " + b.name() + " " + family);
                    check(failures, ClusterHarness.ping(n.netns(), a.address(family)), n.name() + " → " + a.name() + " " + family);
                    check(failures, ClusterHarness.ping(a.netns(), ClusterLayout.gateway(n.index(), family)), a.name() + " → gateway " + family);
                    addIfFailed(failures, PodEcho.tcpRoundTrip(a.netns(), b.address(family), 7007, 100_000));
                    addIfFailed(failures, PodEcho.udpRoundTrip(a.netns(), b.address(family), 7007, 512));
                }
            }
            for (String family : h.layout().families()) {
                check(failures, ClusterHarness.ping(h.node(1).netns(), h.node(3).address(family)), "node-a → node-c underlay " + family);
            }
            assertTrue(failures.isEmpty(), failures + "\n" + h.logs());
        }
        assertTrue(h.leftoverNamespaces().isEmpty(), "left behind: " + h.leftoverNamespaces());
        assertFalse(Files.exists(h.dir), "temp dir of cluster " + id);
    }

    @Test
    void aCrashedDaemonRestartsAndServesItsPodsAgain() throws Exception {
        try (ClusterHarness h = ClusterHarness.start(ClusterLayout.of("IPv6,IPv4", "direct", null, 1))) {
            List<ClusterPod> pods = h.addPods(2);
            ClusterPod a = pods.get(0);
            ClusterPod b = pods.get(1);
            assertTrue(ClusterHarness.ping(a.netns(), b.address("IPv6")), "before the crash\n" + h.logs());
            h.crash(1);
            assertFalse(h.node(1).daemon().running());
            assertFalse(ClusterHarness.ping(a.netns(), b.address("IPv6"), 1), "no data path while the daemon is dead");
            h.restart(1);
            assertTrue(ClusterHarness.ping(a.netns(), b.address("IPv6")), "after the restart\n" + h.logs());
            assertTrue(ClusterHarness.ping(a.netns(), b.address("IPv4")), "after the restart, IPv4\n" + h.logs());
        }
    }

    private static void check(List<String> failures, boolean ok, String what) {
        if (!ok) {
            failures.add(what);
        }
    }

    private static void addIfFailed(List<String> failures, String failure) {
        if (failure != null) {
            failures.add(failure);
        }
    }
}
