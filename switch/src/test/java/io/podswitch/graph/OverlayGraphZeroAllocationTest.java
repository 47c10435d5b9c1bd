package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.overlay.PeerTable;
import io.podswitch.overlay.TunnelMode;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;
import io.podswitch.packet.PacketVector;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicReference;

import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.mac;
import static io.podswitch.graph.TestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The overlay paths of the graph allocate nothing after warm-up: pods sending to remote pods over a
 * VXLAN (outer IPv4) and a Geneve (outer IPv6) peer, and tunnel frames from both decapsulated and
 * routed to the local pod. Measured in 1M-packet windows on a dedicated thread; one clean window out
 * of four passes (a JIT deoptimisation on a loaded machine may allocate a few bytes once).
 */
class OverlayGraphZeroAllocationTest {
    static final int WARMUP = 2_000_000;
    static final int WINDOW = 1_000_000;

    @Test
    void encapAndDecapThroughTheGraphAllocateNothing() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        long podPortMac = mac("02:00:00:00:00:01");
        long uplinkMac = mac("02:00:00:00:01:01");
        long podMac = mac("02:aa:00:00:00:10");
        long remoteMac = mac("02:bb:00:00:00:fe");
        int pod = ip4("10.0.0.10");
        byte[] pod6 = ip6("fd00::10");
        byte[] payload = udp(1000, 2000, bytes(18, 1));
        PeerTable ours = new PeerTable(2);
        ours.put(TunnelPeer.ip4(0, "b", TunnelMode.VXLAN, 5, 4789, uplinkMac, remoteMac, ip4("192.168.1.1"),
                ip4("192.168.1.2")));
        ours.put(TunnelPeer.ip6(1, "b6", TunnelMode.GENEVE, 6, 6081, uplinkMac, remoteMac, Ip6.parse("fd01::1"),
                Ip6.parse("fd01::2")));
        PeerTable theirs = new PeerTable(2);
        theirs.put(TunnelPeer.ip4(0, "a", TunnelMode.VXLAN, 5, 4789, remoteMac, uplinkMac, ip4("192.168.1.2"),
                ip4("192.168.1.1")));
        theirs.put(TunnelPeer.ip6(1, "a6", TunnelMode.GENEVE, 6, 6081, remoteMac, uplinkMac, Ip6.parse("fd01::2"),
                Ip6.parse("fd01::1")));

        byte[] out4 = eth(podPortMac, podMac, 0x0800, ip4Packet(pod, ip4("10.1.0.7"), 64, 17, 0x4000, 1, payload));
        byte[] out6 = eth(podPortMac, podMac, 0x86dd, ip6Packet(pod6, ip6("fd20::7"), 64, 17, payload));
        byte[] in4 = OverlayGoldenTest.encapsulate(theirs, eth(uplinkMac, remoteMac, 0x0800,
                ip4Packet(ip4("10.1.0.7"), pod, 64, 17, 0x4000, 2, payload)), 0);
        byte[] in6 = OverlayGoldenTest.encapsulate(theirs, eth(uplinkMac, remoteMac, 0x86dd,
                ip6Packet(ip6("fd20::7"), pod6, 64, 17, payload)), 1);
        TemplatePort podPort = new TemplatePort(0, out4, out6);
        TemplatePort uplink = new TemplatePort(1, in4, in6);

        try (FrameSlab slab = new FrameSlab(4096)) {
            Interface podIf = Interface.builder(podPort, podPortMac).ip4("10.0.0.1").ip6("fd00::1").build();
            Interface upIf = Interface.builder(uplink, uplinkMac).ip4("192.168.1.1").ip6("fd01::1").uplink(true)
                    .build();
            AdjacencyTable adj = new AdjacencyTable(8);
            int podNet = adj.addConnected(0, 0);
            int encap0 = adj.addEncap(1, 0, 1450);
            int encap1 = adj.addEncap(1, 1, 1430);
            NaiveLpm4 fib4 = new NaiveLpm4().add("10.0.0.0/24", podNet).add("10.1.0.0/16", encap0);
            NaiveLpm6 fib6 = new NaiveLpm6().add("fd00::/64", podNet).add("fd20::/64", encap1);
            NeighborTable neighbors = new NeighborTable(16);
            neighbors.putStatic4(0, pod, podMac);
            long[] p6 = Ip6.parse("fd00::10");
            neighbors.putStatic6(0, p6[0], p6[1], podMac);
            L3Graph graph = new L3Graph(slab, new InterfaceTable(podIf, upIf), fib4, fib6, adj, neighbors, 0,
                    L3GraphConfig.DEFAULTS, ours);
            FramePool pool = new FramePool(slab);

            AtomicReference<long[]> result = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try {
                    FrameCache cache = new FrameCache(pool, 512);
                    PacketVector burst = new PacketVector(256);
                    long t = Thread.currentThread().threadId();
                    route(graph, podPort, uplink, burst, cache, WARMUP);
                    long[] windows = new long[4];
                    for (int w = 0; w < windows.length; w++) {
                        long before = threads.getThreadAllocatedBytes(t);
                        route(graph, podPort, uplink, burst, cache, WINDOW);
                        windows[w] = threads.getThreadAllocatedBytes(t) - before;
                        if (windows[w] == 0) {
                            break;
                        }
                    }
                    result.set(windows);
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "overlay-zero-allocation-worker");
            worker.start();
            worker.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            long[] w = result.get();
            assertTrue(w[0] == 0 || w[1] == 0 || w[2] == 0 || w[3] == 0,
                    "allocated bytes per window: " + java.util.Arrays.toString(w));
            assertTrue(graph.overlayCounters().encapPackets(0) > 0 && graph.overlayCounters().encapPackets(1) > 0);
            assertTrue(graph.overlayCounters().decapPackets(0) > 0 && graph.overlayCounters().decapPackets(1) > 0);
            assertTrue(podPort.transmitted > 0 && uplink.transmitted > 0);
        }
    }

    private static void route(L3Graph graph, TemplatePort a, TemplatePort b, PacketVector burst, FrameCache cache,
                              int packets) {
        long routed = 0;
        int cycle = 0;
        while (routed < packets) {
            routed += (cycle++ & 1) == 0 ? a.receive(0, burst, cache) : b.receive(0, burst, cache);
            graph.process(burst, cache);
            graph.flush(cache);
        }
    }
}
