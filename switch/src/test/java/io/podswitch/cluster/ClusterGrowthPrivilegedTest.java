package io.podswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A fourth node joins a running cluster: the harness appends it to the shared config (atomic rename)
 * and sends SIGHUP to the three running daemons. Its pod CIDR's route appears on every node, traffic
 * flows to and from its pod, and a ping between two untouched pods running across the reload loses
 * nothing.
 */
@Tag("privileged")
class ClusterGrowthPrivilegedTest {

    @Test
    void aFourthNodeAddedToTheConfigAtRunTimeIsRoutedEverywhere() throws Exception {
        try (ClusterHarness h = ClusterHarness.start(ClusterLayout.of("IPv4,IPv6", "vxlan", null, 3))) {
            h.addPods(1);
            ClusterPod a1 = pod(h, "a1");
            ClusterPod b1 = pod(h, "b1");
            assertTrue(ClusterHarness.ping(a1.netns(), b1.address("IPv4")), h.logs());
            // 150 pings at 20 ms between pods on node-a and node-b, spanning the reload
            CompletableFuture<Sh.Result> steady = CompletableFuture.supplyAsync(() -> Sh.exec(Duration.ofSeconds(30),
                    Sh.inNetns(a1.netns(), "ping", "-n", "-q", "-c", "150", "-i", "0.02", "-W", "1", b1.address("IPv4"))));
            Thread.sleep(300);
            ClusterNode d = h.addNode();
            ClusterPod d1 = h.addPod(d.index(), "d1", 0);
            for (ClusterNode n : h.nodes()) {
                if (n != d) {
                    awaitRoute(h, n, ClusterLayout.podCidr4(4));
                    awaitRoute(h, n, ClusterLayout.podCidr6(4));
                }
            }
            ClusterChecks c = new ClusterChecks(h);
            for (ClusterPod p : h.pods()) {
                if (p != d1) {
                    for (String f : h.layout().families()) {
                        c.expect(ClusterHarness.ping(p.netns(), d1.address(f)), p.name() + " → d1 " + f);
                        c.expect(ClusterHarness.ping(d1.netns(), p.address(f)), "d1 → " + p.name() + " " + f);
                    }
                }
            }
            c.expect(ClusterHarness.ping(h.node(1).netns(), d1.address("IPv4")), "node-a → d1");
            assertTrue(c.failures().isEmpty(), c.report() + "\n" + h.logs());
            Sh.Result r = steady.get();
            assertTrue(r.out().contains(" 0% packet loss"), "pods untouched by the change lose nothing: " + r);
        }
    }

    private static void awaitRoute(ClusterHarness h, ClusterNode n, String cidr) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String routes = "";
        while (System.nanoTime() < deadline) {
            routes = n.daemon().get("/v1/routes").bodyText();
            if (routes.contains(cidr)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(n.name() + " has no route to " + cidr + " after the reload: " + routes + "\n" + h.logs());
    }

    private static ClusterPod pod(ClusterHarness h, String name) {
        return h.pods().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }
}
