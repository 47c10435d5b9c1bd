package io.podswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.podswitch.api.json.ObjectReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 12 end to end: three nodes (dual-stack, VXLAN over the AF_XDP uplink) whose podswitchd each watch one
 * API server on the underlay, with nothing in the cluster file but the cluster CIDRs, the overlay and the
 * uplink. Node objects become peers and routes on every node; a deleted node disappears everywhere while
 * pods it does not host lose nothing; with the API server gone traffic goes on, and what changed meanwhile is
 * applied when it is back. One cluster for the class; the steps run in order.
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesClusterPrivilegedTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private ClusterHarness h;

    @BeforeAll
    void startCluster() throws Exception {
        h = ClusterHarness.startWithApi(ClusterLayout.of("IPv4,IPv6", "vxlan", "af_xdp", 3));
        try {
            h.addPods(1);
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

    private ClusterPod pod(String name) {
        return h.pods().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + " not within " + WAIT.toSeconds() + " s\n" + h.logs());
    }

    private boolean routes(ClusterNode n, String cidr) {
        try {
            return n.daemon().get("/v1/routes").bodyText().contains("\"" + cidr + "\"");
        } catch (Exception e) {
            return false;
        }
    }

    private ObjectReader kubernetesStatus(ClusterNode n) {
        try {
            return n.daemon().getJson("/v1/status").optionalObject("kubernetes");
        } catch (Exception e) {
            throw new AssertionError(n.name() + ": /v1/status: " + e, e);
        }
    }

    @Test
    @Order(1)
    void nodeObjectsBecomePeersOnEveryNodeAndPodsReachEachOther() throws Exception {
        for (ClusterNode n : h.nodes()) {
            for (ClusterNode other : h.nodes()) {
                if (other != n) {
                    await(n.name() + " routes " + other.name() + "'s pod CIDRs", () ->
                            routes(n, ClusterLayout.podCidr4(other.index())) && routes(n, ClusterLayout.podCidr6(other.index())));
                }
            }
            await(n.name() + " synced with the API server", () -> kubernetesStatus(n).optionalBoolean("synced", false)
                    && kubernetesStatus(n).optionalBoolean("connected", false));
            Node object = h.api().client().nodes().withName(n.name()).get();
            NodeCondition c = object.getStatus().getConditions().stream()
                    .filter(x -> x.getType().equals("NetworkUnavailable")).findFirst().orElseThrow();
            assertEquals(List.of("False", "PodswitchIsUp"), List.of(c.getStatus(), c.getReason()), n.name());
        }
        ClusterChecks c = new ClusterChecks(h);
        c.pingEveryPair();
        assertTrue(c.failures().isEmpty(), c.report() + "\n" + h.logs());
    }

    @Test
    @Order(5)
    void aDeletedNodeIsGoneEverywhereWhilePodsItDoesNotHostLoseNothing() throws Exception {
        ClusterPod a1 = pod("a1");
        ClusterPod b1 = pod("b1");
        CompletableFuture<Sh.Result> steady = CompletableFuture.supplyAsync(() -> Sh.exec(Duration.ofSeconds(30),
                Sh.inNetns(a1.netns(), "ping", "-n", "-q", "-c", "100", "-i", "0.02", "-W", "1", b1.address("IPv4"))));
        Thread.sleep(300);
        h.api().client().nodes().withName("node-c").delete();
        for (ClusterNode n : List.of(h.node(1), h.node(2))) {
            await(n.name() + " drops node-c", () -> !routes(n, ClusterLayout.podCidr4(3)) && !routes(n, ClusterLayout.podCidr6(3)));
        }
        assertTrue(!ClusterHarness.ping(a1.netns(), pod("c1").address("IPv4"), 1), "node-c's pod is unreachable from node-a");
        Sh.Result r = steady.get();
        assertTrue(r.out().contains(" 0% packet loss"), "a1 → b1 across the removal: " + r);
    }

    @Test
    @Order(6)
    void withTheApiServerDownTrafficGoesOnAndChangesMadeMeanwhileArriveWhenItIsBack() throws Exception {
        h.api().stop();
        for (ClusterNode n : h.nodes()) {
            await(n.name() + " sees the API server gone", () -> !kubernetesStatus(n).optionalBoolean("connected", true)
                    && kubernetesStatus(n).optionalLong("staleMillis", 0, Long.MAX_VALUE, 0) > 0);
        }
        assertTrue(ClusterHarness.ping(pod("a1").netns(), pod("b1").address("IPv6")), "the data path keeps its state");
        h.api().client().nodes().resource(ClusterApi.node(h.layout(), 3)).create(); // node-c comes back meanwhile
        Thread.sleep(1000);
        assertTrue(!routes(h.node(1), ClusterLayout.podCidr4(3)), "nothing reaches node-a while the API server is away");

        h.api().start();
        for (ClusterNode n : List.of(h.node(1), h.node(2))) {
            await(n.name() + " routes node-c again", () -> routes(n, ClusterLayout.podCidr4(3)) && routes(n, ClusterLayout.podCidr6(3)));
        }
        for (ClusterNode n : h.nodes()) {
            await(n.name() + " reconnected and synced", () -> kubernetesStatus(n).optionalBoolean("connected", false)
                    && kubernetesStatus(n).optionalBoolean("synced", false));
        }
        for (String f : h.layout().families()) {
            assertTrue(ClusterHarness.ping(pod("a1").netns(), pod("c1").address(f)), "a1 → c1 " + f + "\n" + h.logs());
        }
    }
}
