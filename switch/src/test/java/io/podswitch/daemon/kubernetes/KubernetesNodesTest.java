package io.podswitch.daemon.kubernetes;

import static io.podswitch.daemon.kubernetes.ApiObjects.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.daemon.api.ControlThread;
import io.podswitch.daemon.engine.EngineConfig;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import io.podswitch.daemon.kubernetes.watch.WatchHealth;
import io.podswitch.daemon.peers.PeerManager;
import io.podswitch.daemon.peers.UplinkSide;
import io.podswitch.fib.Ip4Fib;
import io.podswitch.fib.Ip6Fib;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;
import io.podswitch.testapi.ApiForwarder;
import io.podswitch.testapi.TestApiServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node objects on a real (test) API server → peers and routes in a real {@link SwitchEngine}, through the
 * production path: kubeconfig → fabric8 client → informer → reconciler on the control thread →
 * {@link PeerManager}. The API server sits behind an {@link ApiForwarder}, so a test can make it unreachable
 * and change objects meanwhile, as an outage does.
 */
class KubernetesNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CLUSTER = """
            source: kubernetes
            ipFamilies: [IPv4, IPv6]
            podCIDRs: [10.244.0.0/16, "fd00:10:244::/56"]
            serviceCIDRs: [10.96.0.0/16, "fd00:10:96::/112"]
            nodeCIDRs: [192.168.1.0/24, "fd00:192:168:1::/64"]
            node: a
            overlay: {mode: vxlan}
            """;

    @TempDir
    Path dir;
    private TestApiServer api;
    private ApiForwarder forwarder;
    private KubernetesClient admin;
    private ControlThread control;
    private SwitchEngine engine;
    private final FixedNextHops hops = new FixedNextHops();
    private KubernetesSource source;
    private PeerManager peers;
    private ClusterConfig cluster;

    @BeforeEach
    void startApiServer() throws Exception {
        api = TestApiServer.startLocal();
        admin = api.client();
        forwarder = new ApiForwarder(ApiForwarder.bind(new InetSocketAddress("127.0.0.1", 0)),
                new InetSocketAddress("127.0.0.1", api.port())).start();
        control = new ControlThread();
        cluster = ConfigLoader.parse(CLUSTER, "cluster.yaml", Map.of());
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        if (peers != null) {
            try {
                control.call(() -> {
                    peers.close();
                    return null;
                }, 10_000);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        control.close();
        if (engine != null) {
            engine.close();
        }
        forwarder.close();
        admin.close();
        api.close();
    }

    /** podswitchd's start-up, as {@code Daemon.start} runs it: connect, wait for this node, build, hand over. */
    private NodeConfig startSource() throws Exception {
        Path kubeconfig = TestApiServer.writeKubeconfig(dir.resolve("kubeconfig"), "http://127.0.0.1:" + forwarder.port());
        source = KubernetesSource.connect(cluster, Optional.of(kubeconfig), control::post);
        NodeConfig self = source.awaitThisNode(Duration.ofSeconds(30));
        engine = new SwitchEngine(new EngineConfig(1, "backoff", 4096, 16));
        control.call(() -> {
            peers = new PeerManager(engine, new UplinkSide(1, "eth9", 0x02_00_00_00_00_01L, 1500, false), hops, null,
                    cluster.withNodes(List.of(self)));
            source.applyNodesTo(peers, self);
            return null;
        }, 10_000);
        return self;
    }

    private int route4(String prefix, int length) {
        return engine.fib4().adjacency(Ip4.parse(prefix), length);
    }

    private int route6(String prefix, int length) {
        long[] a = Ip6.parse(prefix);
        return engine.fib6().adjacency(a[0], a[1], length);
    }

    private boolean routed(int i) {
        return route4("10.244." + i + ".0", 24) != Ip4Fib.MISS;
    }

    /** The tunnel peer node i's pod CIDR routes to, or null (no route: e.g. between a change's remove and add). */
    private TunnelPeer tunnelTo(int i) {
        int adjacency = route4("10.244." + i + ".0", 24);
        return adjacency == Ip4Fib.MISS ? null : engine.peers().get(engine.adjacencies().peer(adjacency));
    }

    private String view() {
        return "peers " + peers.views().stream().map(p -> p.name()).toList() + ", status " + source.status();
    }

    @Test
    void nodeObjectsBecomePeersAndAChangeTouchesOnlyItsNode() throws Exception {
        admin.nodes().resource(node("a", 1)).create();
        admin.nodes().resource(node("b", 2)).create();
        admin.nodes().resource(node("c", 3)).create();
        NodeConfig self = startSource();
        assertEquals("a", self.name());
        assertEquals("[10.244.1.0/24, fd00:10:244:1::/64]", self.podCidrs().toString(), "this node's pod CIDRs: IPAM's ranges");
        Eventually.until(WAIT, () -> routed(2) && routed(3), this::view);
        int adjB = route4("10.244.2.0", 24);
        assertEquals(adjB, route6("fd00:10:244:2::", 64), "every family of the node's pod CIDRs");
        assertEquals(adjB, route4("192.168.1.2", 32), "and its InternalIPs");
        assertEquals(adjB, route6("fd00:192:168:1::2", 128));
        assertEquals(Ip4Fib.MISS, route4("10.244.1.0", 24), "no peer for this node");
        TunnelPeer b = tunnelTo(2);
        TunnelPeer c = tunnelTo(3);
        assertEquals(Ip4.parse("192.168.1.2"), b.remote4());
        assertEquals(Ip4.parse("192.168.1.1"), b.local4(), "the tunnel's source: this node's InternalIP");

        admin.nodes().resource(node("d", 4)).create();
        Eventually.until(WAIT, () -> routed(4), this::view);
        assertSame(b, tunnelTo(2), "b untouched by d joining");
        assertSame(c, tunnelTo(3));

        Node movedC = node("c", List.of("10.244.3.0/24", "fd00:10:244:3::/64"), List.of("192.168.1.33", "fd00:192:168:1::33"));
        admin.nodes().resource(movedC).update();
        Eventually.until(WAIT, () -> tunnelTo(3) != null && tunnelTo(3).remote4() == Ip4.parse("192.168.1.33"), this::view);
        assertEquals(Ip4Fib.MISS, route4("192.168.1.3", 32), "c's old address is gone");
        assertSame(b, tunnelTo(2), "b untouched by c's change");

        int tracked = control.call(hops::trackedCount, 10_000);
        admin.nodes().withName("b").delete();
        Eventually.until(WAIT, () -> !routed(2), this::view);
        assertEquals(Ip6Fib.MISS, route6("fd00:10:244:2::", 64));
        assertEquals(Ip4Fib.MISS, route4("192.168.1.2", 32));
        assertEquals(tracked - 1, control.call(hops::trackedCount, 10_000), "b's next hop let go");
        assertTrue(routed(3) && routed(4));
        Eventually.until(WAIT, () -> source.status().synced() && source.status().connected(), () -> source.status().toString());
    }

    @Test
    void unusableNodesAreSkippedWithTheirReasonAndPickedUpWhenFixed() throws Exception {
        admin.nodes().resource(node("a", 1)).create();
        admin.nodes().resource(node("b", 2)).create();
        admin.nodes().resource(node("e", null, List.of("192.168.1.5"))).create();
        admin.nodes().resource(node("f", List.of("10.245.6.0/24", "fd00:10:244:6::/64"), List.of("192.168.1.6", "fd00:192:168:1::6"))).create();
        admin.nodes().resource(node("g", List.of("10.244.7.0/24", "fd00:10:244:7::/64"), List.of("10.0.0.7", "fd00:192:168:1::7"))).create();
        admin.nodes().resource(node("h", List.of("10.244.300.0/24"), List.of("192.168.1.8"))).create();
        admin.nodes().resource(node("i", List.of("10.244.2.0/23", "fd00:10:244:9::/64"), List.of("192.168.1.9", "fd00:192:168:1::9"))).create();
        admin.nodes().resource(node("j", List.of("10.244.10.0/24", "fd00:10:244:a::/64"), List.of("192.168.1.2"))).create();
        startSource();
        Eventually.until(WAIT, () -> routed(2) && source.status().skippedNodes().size() == 6, this::view);
        Map<String, Skipped> skipped = source.status().skippedNodes();
        assertSkipped(skipped, "e", "no_pod_cidr", "has no pod CIDR yet");
        assertSkipped(skipped, "f", "pod_cidr_outside_cluster", "10.245.6.0/24 is outside the cluster's podCIDRs 10.244.0.0/16");
        assertSkipped(skipped, "g", "internal_ip_outside_node_cidrs",
                "InternalIP 10.0.0.7 is outside the cluster's nodeCIDRs 192.168.1.0/24");
        assertSkipped(skipped, "h", "bad_pod_cidr", "spec.podCIDRs");
        assertSkipped(skipped, "i", "pod_cidr_conflict", "pod CIDR 10.244.2.0/23 overlaps node b's");
        assertSkipped(skipped, "j", "internal_ip_conflict", "InternalIP 192.168.1.2 is node b's too");
        String metrics = metricsText();
        for (String reason : List.of("no_pod_cidr", "pod_cidr_outside_cluster", "internal_ip_outside_node_cidrs",
                "bad_pod_cidr", "pod_cidr_conflict", "internal_ip_conflict")) {
            assertTrue(metrics.contains("podswitch_kube_skipped_objects{reason=\"" + reason + "\",resource=\"nodes\"} 1.0"),
                    reason + " in\n" + metrics);
        }
        Eventually.until(WAIT, () -> metricsText().contains("podswitch_kube_objects{resource=\"nodes\"} 8.0"),
                this::metricsText);
        assertEquals(List.of("b"), peers.views().stream().map(p -> p.name()).toList());

        admin.nodes().resource(node("e", 5)).update(); // the controller allocated e's pod CIDRs
        Eventually.until(WAIT, () -> routed(5), this::view);
        admin.nodes().withName("b").delete(); // i and j conflicted with b: with b gone they are usable
        Eventually.until(WAIT, () -> route4("10.244.2.0", 23) != Ip4Fib.MISS && route4("10.244.10.0", 24) != Ip4Fib.MISS,
                this::view);
        Eventually.until(WAIT, () -> source.status().skippedNodes().keySet().equals(java.util.Set.of("f", "g", "h")),
                this::view);
        assertEquals(Ip4Fib.MISS, route4("10.244.2.0", 24), "b's /24 is gone…");
        assertNotEquals(Ip4Fib.MISS, route4("10.244.2.0", 23), "…and i's /23 over it installed");
        assertNotEquals(Ip4Fib.MISS, route4("10.244.10.0", 24), "j installed");
    }

    @Test
    void anOutageWithChangesIsRelistedAndOnlyTheDifferenceApplied() throws Exception {
        admin.nodes().resource(node("a", 1)).create();
        admin.nodes().resource(node("b", 2)).create();
        admin.nodes().resource(node("c", 3)).create();
        startSource();
        Eventually.until(WAIT, () -> routed(2) && routed(3) && source.status().connected(), this::view);
        TunnelPeer b = tunnelTo(2);

        forwarder.stop(); // the API server is unreachable for podswitch; it lives on for the test's client
        Eventually.until(WAIT, () -> !source.status().connected() && source.status().staleMillis() > 0, this::view);
        admin.nodes().withName("c").delete();
        admin.nodes().resource(node("d", 4)).create();
        assertTrue(routed(2) && routed(3), "the data path keeps its last state while the API server is away");

        forwarder.start();
        Eventually.until(Duration.ofSeconds(60), () -> !routed(3) && routed(4), this::view);
        assertSame(b, tunnelTo(2), "b, unchanged during the outage, untouched by the relist");
        assertTrue(api.dispatcher().expiredWatches() > 0, "the watch came back with an old resourceVersion: 410 Gone");
        Eventually.until(WAIT, () -> source.status().connected() && source.status().staleMillis() == 0, this::view);
        long lists = source.status().watches().stream().filter(w -> w.resource().equals("nodes"))
                .mapToLong(WatchHealth::lists).sum();
        assertTrue(lists >= 2, "a relist, not a rebuild: " + source.status());
        String metrics = metricsText();
        assertTrue(metrics.lines().anyMatch(l -> l.matches(
                "podswitch_kube_watch_restarts_total\\{reason=\"relist\",resource=\"nodes\"} [1-9][0-9]*\\.0")), metrics);
        assertTrue(metrics.contains("podswitch_kube_watching{resource=\"nodes\"} 1.0"), metrics);
        assertTrue(metrics.contains("podswitch_kube_stale_seconds{resource=\"nodes\"} 0.0"), metrics);
    }

    @Test
    void startUpWaitsForThisNodesPodCidrAndForTheApiServer() throws Exception {
        forwarder.stop();
        admin.nodes().resource(node("a", null, List.of("192.168.1.1", "fd00:192:168:1::1"))).create();
        // podswitchd waits on its main thread; here a thread of its own (never the common pool the client uses)
        CompletableFuture<NodeConfig> self = new CompletableFuture<>();
        Thread.ofPlatform().name("podswitchd-main").start(() -> {
            try {
                self.complete(startSource());
            } catch (Exception e) {
                self.completeExceptionally(e);
            }
        });
        Thread.sleep(700);
        assertFalse(self.isDone(), "no API server: still waiting");
        forwarder.start();
        Thread.sleep(700);
        assertFalse(self.isDone(), "no pod CIDR yet: still waiting");
        admin.nodes().resource(node("a", 1)).update();
        assertEquals("[10.244.1.0/24, fd00:10:244:1::/64]", self.get().podCidrs().toString());
    }

    @Test
    void theNetworkUnavailableConditionIsClearedOnceUp() throws Exception {
        admin.nodes().resource(node("a", 1)).create();
        startSource();
        source.markNetworkAvailable();
        Eventually.until(WAIT, () -> condition(admin.nodes().withName("a").get()) != null, () -> admin.nodes().withName("a").get().toString());
        NodeCondition c = condition(admin.nodes().withName("a").get());
        assertEquals("False", c.getStatus());
        assertEquals("PodswitchIsUp", c.getReason());
        assertEquals("podswitch is running on this node", c.getMessage());
    }

    private static NodeCondition condition(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return null;
        }
        return node.getStatus().getConditions().stream().filter(c -> c.getType().equals("NetworkUnavailable"))
                .findFirst().orElse(null);
    }

    private static void assertSkipped(Map<String, Skipped> skipped, String node, String reason, String detail) {
        Skipped why = skipped.get(node);
        assertTrue(why != null && why.reason().equals(reason) && why.detail().contains(detail),
                node + ": expected " + reason + " / " + detail + " in " + skipped);
    }

    /** The source's Prometheus families as /metrics shows them. */
    private String metricsText() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create().write(out,
                    new KubernetesMetrics(source).collect());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
