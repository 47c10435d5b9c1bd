package io.podswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.podswitch.api.json.ObjectReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * uplink. Node objects become peers and routes on every node; a Service with EndpointSlices is served by the
 * pods they list (TCP and UDP, both families), and scaling the slices moves new connections while a
 * long-lived one to a kept backend lives on; a deleted node disappears everywhere while pods it does not host
 * lose nothing; with the API server gone traffic goes on, and what changed meanwhile is applied when it is
 * back. One cluster for the class, two pods per node each running a {@link NamedServer} on 8080; the steps
 * run in order.
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesClusterPrivilegedTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int TARGET = 8080;
    private ClusterHarness h;

    @BeforeAll
    void startCluster() throws Exception {
        h = ClusterHarness.startWithApi(ClusterLayout.of("IPv4,IPv6", "vxlan", "af_xdp", 3));
        try {
            h.addPods(2);
            for (ClusterPod p : h.pods()) {
                h.closeLater(NamedServer.start(p.netns(), p.name(), TARGET));
            }
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

    /** Service "web": ClusterIPs 10.96.0.10 and fd00:10:96::a, http TCP 80 and dns UDP 53, both → the pods' 8080. */
    private static io.fabric8.kubernetes.api.model.Service web() {
        return new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withNamespace("default")
                .withName("web").endMetadata().withNewSpec().withType("ClusterIP").withClusterIP("10.96.0.10")
                .withClusterIPs("10.96.0.10", "fd00:10:96::a").withIpFamilies("IPv4", "IPv6")
                .addNewPort().withName("http").withProtocol("TCP").withPort(80)
                .withTargetPort(new io.fabric8.kubernetes.api.model.IntOrString("web")).endPort()
                .addNewPort().withName("dns").withProtocol("UDP").withPort(53)
                .withTargetPort(new io.fabric8.kubernetes.api.model.IntOrString(TARGET)).endPort().endSpec().build();
    }

    /** web's slice of one family with {@code pods} as ready endpoints (nodeName set), as the controller writes it. */
    private io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice(String family, List<String> pods) {
        var b = new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder().withNewMetadata()
                .withNamespace("default").withName("web-" + family.toLowerCase())
                .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType(family)
                .addNewPort().withName("http").withProtocol("TCP").withPort(TARGET).endPort()
                .addNewPort().withName("dns").withProtocol("UDP").withPort(TARGET).endPort();
        for (String p : pods) {
            b.addNewEndpoint().withAddresses(pod(p).address(family)).withNodeName(h.node(pod(p).node()).name())
                    .withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        return b.build();
    }

    private void endpoints(List<String> pods) {
        for (String f : h.layout().families()) {
            h.api().client().discovery().v1().endpointSlices().resource(slice(f, pods)).createOr(x -> x.update());
        }
    }

    private static java.util.Set<String> names(Map<String, Integer> spread) {
        return spread.keySet();
    }

    /** Waits until new TCP connections from {@code client} to {@code vip}:80 reach exactly {@code expected}. */
    private void awaitBackends(String client, String vip, java.util.Set<String> expected) throws InterruptedException {
        Map<String, Integer> last = Map.of();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            last = NamedServer.tcpSpread(pod(client).netns(), vip, 80, 12 * expected.size());
            if (names(last).equals(expected)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(client + " → " + vip + ": backends " + last + ", expected " + expected + "\n" + h.logs());
    }

    @Test
    @Order(2)
    void aServiceWithEndpointSlicesIsServedOverTcpAndUdpInBothFamilies() throws Exception {
        h.api().client().services().resource(web()).create();
        endpoints(List.of("a1", "b1", "c1"));
        java.util.Set<String> backends = java.util.Set.of("a1", "b1", "c1");
        for (String client : List.of("a2", "c2")) {
            for (String vip : List.of("10.96.0.10", "fd00:10:96::a")) {
                awaitBackends(client, vip, backends);
                java.util.Set<String> udp = new java.util.HashSet<>();
                for (int i = 0; i < 30 && !udp.equals(backends); i++) {
                    udp.add(NamedServer.udpHello(pod(client).netns(), vip, 53).split(" ")[0]);
                }
                assertEquals(backends, udp, client + " → " + vip + ":53/UDP");
            }
        }
    }

    @Test
    @Order(3)
    void scalingTheSlicesMovesNewConnectionsWhileALongLivedOneToAKeptBackendLivesOn() throws Exception {
        java.net.Socket conn = io.podswitch.nativeio.Netns.call(pod("c2").netns(), () -> {
            java.net.Socket s = new java.net.Socket();
            s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getByName("10.96.0.10"), 80), 5000);
            return s;
        });
        try (conn) {
            conn.setSoTimeout(5000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(conn.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            var out = conn.getOutputStream();
            String mine = in.readLine().split(" ")[0];
            assertTrue(List.of("a1", "b1", "c1").contains(mine), mine);
            endpoints(List.of("a1", "b1", "c1", "a2", "b2")); // 3 → 5
            awaitBackends("c2", "10.96.0.10", java.util.Set.of("a1", "b1", "c1", "a2", "b2"));
            out.write("after 5\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("after 5", in.readLine(), "the long-lived connection to " + mine + " across 3 → 5");
            String other = mine.equals("b2") ? "a1" : "b2";
            endpoints(List.of(mine, other)); // 5 → 2, keeping mine
            awaitBackends("c2", "10.96.0.10", java.util.Set.of(mine, other));
            out.write("after 2\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("after 2", in.readLine(), "the long-lived connection to " + mine + " across 5 → 2");
        }
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
