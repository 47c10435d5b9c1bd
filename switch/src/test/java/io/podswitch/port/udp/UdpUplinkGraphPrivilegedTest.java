package io.podswitch.port.udp;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.fib.Ip4Fib;
import io.podswitch.fib.Ip6Fib;
import io.podswitch.graph.Interface;
import io.podswitch.graph.InterfaceTable;
import io.podswitch.graph.L3Graph;
import io.podswitch.graph.L3GraphConfig;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.NetnsFixture;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.overlay.PeerTable;
import io.podswitch.overlay.TunnelMode;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.memory.MemoryPort;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashMap;
import java.util.Map;

import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.mac;
import static io.podswitch.graph.TestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The UDP uplink attached to the real graph, as the daemon attaches it: two nodes (network
 * namespaces joined by a veth, 10.90.0.1-2 / fd90::1-2), each an {@link L3Graph} with a pod port (an
 * in-memory port) and a dual-stack {@link UdpTunnelPort} as its {@code .uplink(true)} Interface, ENCAP
 * routes to the other node's pod CIDRs (IPv4 pods over outer IPv4, IPv6 pods over outer IPv6, and a
 * second IPv4 pod range over outer IPv6). A pod packet injected on node A leaves A's uplink socket,
 * arrives on B's, passes ethernet-input's tunnel check and overlay-decap on the synthesised headers,
 * and reaches B's pod routed (MACs rewritten; TTL − 2: each node's graph routes it once); and back.
 */
@Tag("privileged")
class UdpUplinkGraphPrivilegedTest {
    static final long POD_PORT_MAC = mac("02:00:00:00:00:01");
    static final int VNI = 77;

    /** One node: graph, pod port, uplink. */
    static final class Node implements AutoCloseable {
        final int n;
        final FrameSlab slab = new FrameSlab(1024);
        final FramePool pool = new FramePool(slab);
        final FrameCache cache = new FrameCache(pool, 64);
        final MemoryPort pod;
        final UdpTunnelPort uplink;
        final L3Graph graph;
        final long podMac;

        Node(int n, String ns, TunnelMode mode) {
            this.n = n;
            int other = 3 - n;
            this.podMac = mac("0a:58:00:00:00:0" + n);
            long uplinkMac = mac("02:00:00:00:01:0" + n);
            pod = new MemoryPort(0, "pod", pool, 1, 256);
            UdpTunnelPortConfig config = UdpTunnelPortConfig.of("uplink", LoopbackPorts.address("10.90.0." + n),
                    LoopbackPorts.address("fd90::" + n), mode.defaultPort(), uplinkMac, 1500);
            uplink = Netns.call(ns, () -> UdpTunnelPort.open(1, config));
            // The daemon's recipe: the uplink Interface has the port's MAC, MTU and bound addresses.
            Interface podIface = Interface.builder(pod, POD_PORT_MAC).ip4("10.244." + n + ".1")
                    .ip6("fd00:244:" + n + "::1").build();
            Interface uplinkIface = Interface.builder(uplink, config.mac()).mtu(config.mtu())
                    .ip4("10.90.0." + n).ip6("fd90::" + n).uplink(true).build();
            PeerTable peers = new PeerTable(4);
            // Outer MACs are the kernel's business on a UDP uplink: any unicast value will do.
            peers.put(TunnelPeer.ip4(0, "node" + other, mode, VNI, mode.defaultPort(), uplinkMac,
                    mac("02:00:00:00:01:0" + other), ip4("10.90.0." + n), ip4("10.90.0." + other)));
            peers.put(TunnelPeer.ip6(1, "node" + other + "-6", mode, VNI, mode.defaultPort(), uplinkMac,
                    mac("02:00:00:00:01:0" + other), Ip6.parse("fd90::" + n), Ip6.parse("fd90::" + other)));
            AdjacencyTable adj = new AdjacencyTable(16);
            int local = adj.addLocal();
            int podNet = adj.addConnected(0, 0);
            int encap4 = adj.addEncap(1, 0, config.mtu() - 50);
            int encap6 = adj.addEncap(1, 1, config.mtu() - 70);
            Ip4Fib fib4 = new Ip4Fib(16);
            fib4.add(ip4("10.244." + n + ".1"), 32, local);
            fib4.add(ip4("10.244." + n + ".0"), 24, podNet);
            fib4.add(ip4("10.245." + n + ".0"), 24, podNet);
            fib4.add(ip4("10.244." + other + ".0"), 24, encap4);
            fib4.add(ip4("10.245." + other + ".0"), 24, encap6);
            Ip6Fib fib6 = new Ip6Fib(64);
            long[] own6 = Ip6.parse("fd00:244:" + n + "::1");
            long[] net6 = Ip6.parse("fd00:244:" + n + "::");
            long[] remote6 = Ip6.parse("fd00:244:" + other + "::");
            fib6.add(own6[0], own6[1], 128, local);
            fib6.add(net6[0], net6[1], 64, podNet);
            fib6.add(remote6[0], remote6[1], 64, encap6);
            NeighborTable neighbors = new NeighborTable(64);
            neighbors.putStatic4(0, ip4("10.244." + n + ".5"), podMac);
            neighbors.putStatic4(0, ip4("10.245." + n + ".5"), podMac);
            long[] pod6 = Ip6.parse("fd00:244:" + n + "::5");
            neighbors.putStatic6(0, pod6[0], pod6[1], podMac);
            graph = new L3Graph(slab, new InterfaceTable(podIface, uplinkIface), fib4, fib6, adj, neighbors, 0,
                    L3GraphConfig.DEFAULTS, peers);
        }

        /** One duty cycle as a worker runs it: poll both ports, run the graph, flush its output. */
        int poll() {
            graph.tick(System.nanoTime());
            PacketVector v = new PacketVector();
            int work = pod.receive(0, v, cache) + uplink.receive(0, v, cache);
            graph.process(v, cache);
            graph.flush(cache);
            return work;
        }

        Map<String, Long> counters() {
            Map<String, Long> all = new HashMap<>();
            graph.visit(all::put);
            return all;
        }

        @Override
        public void close() {
            uplink.close();
            pod.close();
            slab.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TunnelMode.class)
    void podsOnTwoNodesReachEachOtherThroughTheUdpUplink(TunnelMode mode) {
        String sfx = NetnsFixture.suffix();
        String nsA = "pg" + sfx + "a";
        String nsB = "pg" + sfx + "b";
        Node a = null;
        Node b = null;
        try {
            NetnsFixture.run("ip", "netns", "add", nsA);
            NetnsFixture.run("ip", "netns", "add", nsB);
            NetnsFixture.run("ip", "link", "add", "pg" + sfx + "va", "netns", nsA, "type", "veth", "peer", "name",
                    "pg" + sfx + "vb", "netns", nsB);
            String[][] sides = {{nsA, "pg" + sfx + "va", "10.90.0.1", "fd90::1"}, {nsB, "pg" + sfx + "vb", "10.90.0.2", "fd90::2"}};
            for (String[] s : sides) {
                NetnsFixture.run("ip", "-n", s[0], "link", "set", "lo", "up");
                NetnsFixture.run("ip", "-n", s[0], "addr", "add", s[2] + "/24", "dev", s[1]);
                NetnsFixture.run("ip", "-n", s[0], "addr", "add", s[3] + "/64", "dev", s[1], "nodad");
                NetnsFixture.run("ip", "-n", s[0], "link", "set", s[1], "up");
            }
            a = new Node(1, nsA, mode);
            b = new Node(2, nsB, mode);
            for (Node[] pair : new Node[][] {{a, b}, {b, a}}) {
                Node from = pair[0];
                Node to = pair[1];
                String fromPod4 = "10.244." + from.n + ".5";
                String toPod4 = "10.244." + to.n + ".5";
                String toPod4overV6 = "10.245." + to.n + ".5";
                byte[] payload = udp(40000, 53, bytes(300, from.n));
                byte[][] sent = {
                    eth(POD_PORT_MAC, from.podMac, 0x0800, ip4Packet(ip4(fromPod4), ip4(toPod4), 64, 17, 0x4000, 1, payload)),
                    eth(POD_PORT_MAC, from.podMac, 0x0800, ip4Packet(ip4(fromPod4), ip4(toPod4overV6), 64, 17, 0x4000, 2, payload)),
                    eth(POD_PORT_MAC, from.podMac, 0x86dd, ip6Packet(ip6("fd00:244:" + from.n + "::5"),
                            ip6("fd00:244:" + to.n + "::5"), 64, 17, payload)),
                };
                byte[][] expected = {
                    eth(to.podMac, POD_PORT_MAC, 0x0800, ip4Packet(ip4(fromPod4), ip4(toPod4), 62, 17, 0x4000, 1, payload)),
                    eth(to.podMac, POD_PORT_MAC, 0x0800, ip4Packet(ip4(fromPod4), ip4(toPod4overV6), 62, 17, 0x4000, 2, payload)),
                    eth(to.podMac, POD_PORT_MAC, 0x86dd, ip6Packet(ip6("fd00:244:" + from.n + "::5"),
                            ip6("fd00:244:" + to.n + "::5"), 62, 17, payload)),
                };
                for (int i = 0; i < sent.length; i++) {
                    from.pod.inject(0, sent[i]);
                    from.poll();
                    byte[] got = null;
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (got == null && System.nanoTime() < deadline) {
                        to.poll();
                        got = to.pod.take(0);
                    }
                    assertNotNull(got, mode + " packet " + i + " from node " + from.n + " never arrived: "
                            + to.counters());
                    assertArrayEquals(expected[i], got, mode + " packet " + i + " from node " + from.n);
                }
            }
            for (Node node : new Node[] {a, b}) {
                assertEquals(3, node.uplink.counters().txPackets());
                assertEquals(3, node.uplink.counters().rxPackets());
            }
            // Each way: one packet over the IPv4-outer peer, two over the IPv6-outer peer.
            assertEquals(1, a.counters().get("overlay.peer.node2.encap_packets"));
            assertEquals(2, a.counters().get("overlay.peer.node2-6.encap_packets"));
            assertEquals(1, b.counters().get("overlay.peer.node1.decap_packets"));
            assertEquals(2, b.counters().get("overlay.peer.node1-6.decap_packets"));
        } finally {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
            NetnsFixture.quietly("ip", "netns", "del", nsA);
            NetnsFixture.quietly("ip", "netns", "del", nsB);
        }
    }
}
