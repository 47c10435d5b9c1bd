package io.podswitch.daemon.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.daemon.engine.EngineConfig;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.fib.AdjacencyTable;
import io.podswitch.fib.Ip4Fib;
import io.podswitch.fib.Ip6Fib;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The peer manager's diff against a real {@link SwitchEngine} (workers running, no ports: the uplink is
 * only a port id to the tables) and a scripted next-hop source: what is installed per node, what a
 * reload changes and — as important — what it leaves alone.
 */
class PeerManagerTest {
    private static final int UPLINK_PORT = 1;
    private static final long UPLINK_MAC = 0x02_00_00_00_00_01L;
    private static final long MAC_B = 0x02_00_00_00_00_0bL;
    private static final long MAC_C = 0x02_00_00_00_00_0cL;

    private final SwitchEngine engine = new SwitchEngine(new EngineConfig(1, "backoff", 4096, 16));
    private final ScriptedNextHops hops = new ScriptedNextHops();

    @AfterEach
    void close() {
        engine.close();
    }

    /** Nodes a (this one), b, c, each with IPv4 + IPv6; {@code extra} appended to the node list. */
    private static ClusterConfig config(String mode, String extra) throws Exception {
        String yaml = "ipFamilies: [IPv4, IPv6]\n"
                + "podCIDRs: [10.244.0.0/16, \"fd00:10:244::/56\"]\n"
                + "serviceCIDRs: [10.96.0.0/16, \"fd00:10:96::/112\"]\n"
                + "nodeCIDRs: [192.168.1.0/24, \"fd00:192:168:1::/64\"]\n"
                + "node: a\n"
                + "overlay: {mode: " + mode + "}\n"
                + "nodes:\n"
                + "  - {name: a, addresses: [192.168.1.1, \"fd00:192:168:1::1\"], podCIDRs: [10.244.1.0/24, \"fd00:10:244:1::/64\"]}\n"
                + "  - {name: b, addresses: [192.168.1.2, \"fd00:192:168:1::2\"], podCIDRs: [10.244.2.0/24, \"fd00:10:244:2::/64\"]}\n"
                + extra;
        return ConfigLoader.parse(yaml, "cluster.yaml", Map.of());
    }

    private static final String NODE_C =
            "  - {name: c, addresses: [192.168.1.3, \"fd00:192:168:1::3\"], podCIDRs: [10.244.3.0/24, \"fd00:10:244:3::/64\"]}\n";

    private PeerManager manager(ClusterConfig config) {
        return new PeerManager(engine, new UplinkSide(UPLINK_PORT, "eth9", UPLINK_MAC, 1500, false), hops, null, config);
    }

    private int route4(String prefix, int length) {
        return engine.fib4().adjacency(Ip4.parse(prefix), length);
    }

    private int route6(String prefix, int length) {
        long[] a = Ip6.parse(prefix);
        return engine.fib6().adjacency(a[0], a[1], length);
    }

    @Test
    void vxlanInstallsOneTunnelPeerAndRoutesPerRemoteNode() throws Exception {
        hops.mac("192.168.1.2", MAC_B);
        hops.mac("192.168.1.3", MAC_C);
        PeerManager m = manager(config("vxlan", NODE_C));
        int adjB = route4("10.244.2.0", 24);
        AdjacencyTable adj = engine.adjacencies();
        assertEquals(AdjacencyTable.ENCAP, adj.kind(adjB));
        assertEquals(1450, adj.mtu(adjB), "uplink MTU − 50 bytes of VXLAN over IPv4");
        assertEquals(UPLINK_PORT, adj.port(adjB));
        assertEquals(adjB, route6("fd00:10:244:2::", 64), "every family of the node's pod CIDRs");
        assertEquals(adjB, route4("192.168.1.2", 32), "the node's addresses go through the tunnel too");
        assertEquals(adjB, route6("fd00:192:168:1::2", 128));
        TunnelPeer b = engine.peers().get(adj.peer(adjB));
        assertEquals("b", b.name());
        assertEquals(MAC_B, b.remoteMac());
        assertEquals(UPLINK_MAC, b.localMac());
        assertEquals(Ip4.parse("192.168.1.2"), b.remote4());
        assertEquals(Ip4.parse("192.168.1.1"), b.local4());
        assertEquals(4789, b.port());
        assertNotEquals(adj.peer(adjB), adj.peer(route4("10.244.3.0", 24)));
        assertEquals(Ip4Fib.MISS, route4("10.244.1.0", 24), "no peer for this node itself");
        assertEquals(List.of("b", "c"), m.views().stream().map(PeerView::name).toList());
        assertEquals("resolved", m.views().getFirst().state());
    }

    @Test
    void reloadTouchesOnlyAddedRemovedAndChangedNodes() throws Exception {
        hops.mac("192.168.1.2", MAC_B);
        hops.mac("192.168.1.3", MAC_C);
        hops.mac("192.168.1.4", MAC_C + 1);
        PeerManager m = manager(config("vxlan", NODE_C));
        int adjB = route4("10.244.2.0", 24);
        TunnelPeer peerB = engine.peers().get(engine.adjacencies().peer(adjB));
        int idC = engine.adjacencies().peer(route4("10.244.3.0", 24));

        String nodeD = "  - {name: d, addresses: [192.168.1.4, \"fd00:192:168:1::4\"], podCIDRs: [10.244.4.0/24, \"fd00:10:244:4::/64\"]}\n";
        String summary = m.apply(config("vxlan", nodeD));
        assertEquals("1 added, 1 removed, 0 changed, 1 unchanged", summary);
        assertEquals(adjB, route4("10.244.2.0", 24), "b's route untouched");
        assertSame(peerB, engine.peers().get(peerB.id()), "b's tunnel peer untouched");
        assertEquals(Ip4Fib.MISS, route4("10.244.3.0", 24), "c's routes gone");
        assertEquals(Ip6Fib.MISS, route6("fd00:10:244:3::", 64));
        assertEquals(Ip4Fib.MISS, route4("192.168.1.3", 32));
        assertNull(engine.peers().get(idC), "c's tunnel peer gone");
        int idD = engine.adjacencies().peer(route4("10.244.4.0", 24));
        assertNotEquals(idC, idD, "a new node never takes a removed node's peer id (its counters live on)");

        // b moves to another pod CIDR: b is replaced, d untouched; c comes back with its old id.
        ClusterConfig next = ConfigLoader.parse(("ipFamilies: [IPv4, IPv6]\n"
                + "podCIDRs: [10.244.0.0/16, \"fd00:10:244::/56\"]\n"
                + "serviceCIDRs: [10.96.0.0/16, \"fd00:10:96::/112\"]\n"
                + "nodeCIDRs: [192.168.1.0/24, \"fd00:192:168:1::/64\"]\n"
                + "node: a\n"
                + "overlay: {mode: vxlan}\n"
                + "nodes:\n"
                + "  - {name: a, addresses: [192.168.1.1, \"fd00:192:168:1::1\"], podCIDRs: [10.244.1.0/24, \"fd00:10:244:1::/64\"]}\n"
                + "  - {name: b, addresses: [192.168.1.2, \"fd00:192:168:1::2\"], podCIDRs: [10.244.12.0/24, \"fd00:10:244:12::/64\"]}\n"
                + nodeD + NODE_C), "cluster.yaml", Map.of());
        int adjD = route4("10.244.4.0", 24);
        assertEquals("1 added, 0 removed, 1 changed, 1 unchanged", m.apply(next));
        assertEquals(Ip4Fib.MISS, route4("10.244.2.0", 24));
        assertEquals(peerB.id(), engine.adjacencies().peer(route4("10.244.12.0", 24)), "same node, same id");
        assertEquals(adjD, route4("10.244.4.0", 24), "d untouched");
        assertEquals(idC, engine.adjacencies().peer(route4("10.244.3.0", 24)), "c back under its old id");
    }

    @Test
    void unresolvedPeerIsInstalledWithoutTunnelUntilTheKernelResolvesIt() throws Exception {
        PeerManager m = manager(config("geneve", ""));
        int adjB = route4("10.244.2.0", 24);
        int id = engine.adjacencies().peer(adjB);
        assertNull(engine.peers().get(id), "no MAC yet: packets count overlay.encap.drop.unknown_peer");
        assertEquals("unresolved", m.views().getFirst().state());
        assertTrue(hops.tracked.containsKey(InetAddress.getByName("192.168.1.2")), "resolution was asked for");

        hops.mac("192.168.1.2", MAC_B);
        assertEquals(1, m.refresh());
        TunnelPeer b = engine.peers().get(id);
        assertNotNull(b);
        assertEquals(MAC_B, b.remoteMac());
        assertEquals(6081, b.port());

        hops.mac("192.168.1.2", MAC_C); // the next hop's MAC changed: the template is rebuilt
        assertEquals(1, m.refresh());
        assertEquals(MAC_C, engine.peers().get(id).remoteMac());
        assertEquals(adjB, route4("10.244.2.0", 24), "routes stay");
        assertEquals(0, m.refresh(), "nothing changed");
    }

    @Test
    void gatewayIsTheNextHopWhenThePeerIsNotOnLink() throws Exception {
        hops.gateway("192.168.1.2", "192.168.1.254");
        hops.mac("192.168.1.254", MAC_C);
        PeerManager m = manager(config("vxlan", ""));
        TunnelPeer b = engine.peers().get(engine.adjacencies().peer(route4("10.244.2.0", 24)));
        assertEquals(MAC_C, b.remoteMac(), "the gateway's MAC, the peer's address");
        assertEquals(Ip4.parse("192.168.1.2"), b.remote4());
        assertEquals("192.168.1.254", m.views().getFirst().nextHop());
    }

    @Test
    void directModeRewritesToThePeersMacAndDropsWhileUnresolved() throws Exception {
        PeerManager m = manager(config("direct", ""));
        AdjacencyTable adj = engine.adjacencies();
        assertEquals(AdjacencyTable.DROP, adj.kind(route4("10.244.2.0", 24)));
        hops.mac("192.168.1.2", MAC_B);
        assertEquals(1, m.refresh());
        int rewrite = route4("10.244.2.0", 24);
        assertEquals(AdjacencyTable.REWRITE, adj.kind(rewrite));
        assertEquals(MAC_B, adj.mac(rewrite));
        assertEquals(1500, adj.mtu(rewrite), "no encapsulation overhead");
        assertEquals(rewrite, route6("fd00:10:244:2::", 64));
        assertNull(engine.peers().get(0), "direct mode has no tunnel peers");
    }

    @Test
    void changesThatNeedARestartAreRefusedAndChangeNothing() throws Exception {
        hops.mac("192.168.1.2", MAC_B);
        PeerManager m = manager(config("vxlan", ""));
        int adjB = route4("10.244.2.0", 24);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.apply(config("geneve", NODE_C)));
        assertTrue(e.getMessage().contains("overlay settings"), e.getMessage());
        assertTrue(e.getMessage().contains("needs a restart"), e.getMessage());
        assertEquals(adjB, route4("10.244.2.0", 24));
        assertEquals(Ip4Fib.MISS, route4("10.244.3.0", 24), "c was not added either");
    }

    @Test
    void unreachablePeerIsReportedNotThrown() throws Exception {
        hops.unreachable("192.168.1.2");
        PeerManager m = manager(config("vxlan", ""));
        assertTrue(m.views().getFirst().state().startsWith("unreachable: "), m.views().getFirst().state());
        assertEquals(AdjacencyTable.ENCAP, engine.adjacencies().kind(route4("10.244.2.0", 24)));
    }

    @Test
    void closeRemovesEverything() throws Exception {
        hops.mac("192.168.1.2", MAC_B);
        PeerManager m = manager(config("vxlan", ""));
        m.close();
        assertEquals(Ip4Fib.MISS, route4("10.244.2.0", 24));
        assertNull(engine.peers().get(0));
        assertTrue(hops.tracked.isEmpty(), "managed neighbours released");
    }

    /** Next hops as a test scripts them: MACs by address, gateways, unreachable peers. */
    private static final class ScriptedNextHops implements NextHops {
        final Map<InetAddress, Long> macs = new HashMap<>();
        final Map<InetAddress, InetAddress> gateways = new HashMap<>();
        final Map<InetAddress, Integer> tracked = new HashMap<>();
        final java.util.Set<InetAddress> unreachable = new java.util.HashSet<>();

        void mac(String address, long mac) throws Exception {
            macs.put(InetAddress.getByName(address), mac);
        }

        void gateway(String peer, String gateway) throws Exception {
            gateways.put(InetAddress.getByName(peer), InetAddress.getByName(gateway));
        }

        void unreachable(String peer) throws Exception {
            unreachable.add(InetAddress.getByName(peer));
        }

        @Override
        public InetAddress nextHop(InetAddress peer) {
            if (unreachable.contains(peer)) {
                throw new IllegalStateException("RTM_GETROUTE: ENETUNREACH");
            }
            return gateways.getOrDefault(peer, peer);
        }

        @Override
        public void track(InetAddress nextHop) {
            tracked.merge(nextHop, 1, Integer::sum);
        }

        @Override
        public void untrack(InetAddress nextHop) {
            tracked.computeIfPresent(nextHop, (k, n) -> n == 1 ? null : n - 1);
        }

        @Override
        public Map<InetAddress, Long> resolved() {
            Map<InetAddress, Long> out = new HashMap<>();
            for (InetAddress a : tracked.keySet()) {
                if (macs.containsKey(a)) {
                    out.put(a, macs.get(a));
                }
            }
            return out;
        }

        @Override
        public void close() {
        }
    }
}
