package io.podswitch.graph;

import static io.podswitch.graph.TestFrames.ip4;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.fib.Ip4Fib;
import io.podswitch.fib.Ip6Fib;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.Ip6;
import io.podswitch.packet.PacketVector;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the service and policy zero-allocation proofs share: a pod port (10.0.0.1/24, fd00::1/64, the pod
 * 10.0.0.10 / fd00::10 behind it) and an uplink (192.168.1.1, fd01::1; default routes via a router), and the
 * measurement — a dedicated thread routes the two ports' frames alternately (the simulated clock advancing
 * 1 ms every 16 vectors, so timeouts of a few ms keep flows expiring), warms up, then measures up to four
 * windows; the first clean one passes (a late JIT compilation on a loaded machine may allocate once).
 */
final class RoutedAllocationProof {
    static final long POD_PORT_MAC = TestFrames.mac("02:00:00:00:00:01");
    static final long UPLINK_MAC = TestFrames.mac("02:00:00:00:01:01");
    static final long POD_MAC = TestFrames.mac("02:aa:00:00:00:10");
    static final long ROUTER_MAC = TestFrames.mac("02:bb:00:00:00:fe");
    static final int POD = ip4("10.0.0.10");

    /** The routed topology over the two ports. */
    record Topology(InterfaceTable interfaces, Ip4Fib fib4, Ip6Fib fib6, AdjacencyTable adjacencies,
                    NeighborTable neighbors) {
    }

    /** Bytes the measured window allocated, packets routed in it, its nanoseconds. */
    record Window(long allocated, long packets, long nanos) {
        double mpps() {
            return packets * 1e3 / nanos;
        }
    }

    private RoutedAllocationProof() {
    }

    static Topology topology(TemplatePort podPort, TemplatePort uplink) {
        return topology(podPort, uplink, false);
    }

    /**
     * With {@code podPortIsHostPort}, the pod port is also marked as the node's host port whose kernel side is the
     * pod's addresses 10.0.0.10 / fd00::10 ({@link Interface.Builder#hostAddresses}).
     */
    static Topology topology(TemplatePort podPort, TemplatePort uplink, boolean podPortIsHostPort) {
        Interface.Builder podBuilder = Interface.builder(podPort, POD_PORT_MAC).ip4("10.0.0.1").ip6("fd00::1");
        if (podPortIsHostPort) {
            long[] host6 = Ip6.parse("fd00::10");
            podBuilder.hostAddresses(new int[] {POD}, new long[] {host6[0]}, new long[] {host6[1]});
        }
        Interface podIf = podBuilder.build();
        Interface upIf = Interface.builder(uplink, UPLINK_MAC).ip4("192.168.1.1").ip6("fd01::1").uplink(true).build();
        AdjacencyTable adj = new AdjacencyTable(16);
        int local = adj.addLocal();
        int podNet = adj.addConnected(0, 0);
        int via = adj.addVia4(1, ip4("192.168.1.254"), 0);
        long[] r6 = Ip6.parse("fd01::fe");
        int via6 = adj.addVia6(1, r6[0], r6[1], 0);
        Ip4Fib fib4 = new Ip4Fib(16);
        fib4.add(ip4("10.0.0.1"), 32, local);
        fib4.add(ip4("10.0.0.0"), 24, podNet);
        fib4.add(0, 0, via);
        Ip6Fib fib6 = new Ip6Fib(64);
        long[] net6 = Ip6.parse("fd00::");
        fib6.add(net6[0], net6[1], 64, podNet);
        fib6.add(0L, 0L, 0, via6);
        NeighborTable neighbors = new NeighborTable(64);
        neighbors.putStatic4(1, ip4("192.168.1.254"), ROUTER_MAC);
        neighbors.putStatic6(1, r6[0], r6[1], ROUTER_MAC);
        neighbors.putStatic4(0, POD, POD_MAC);
        long[] p6 = Ip6.parse("fd00::10");
        neighbors.putStatic6(0, p6[0], p6[1], POD_MAC);
        return new Topology(new InterfaceTable(podIf, upIf), fib4, fib6, adj, neighbors);
    }

    /** Warms up and measures on a new thread named {@code label + "-zero-allocation-worker"}; rethrows its failure. */
    static Window measure(String label, L3Graph graph, FramePool pool, TemplatePort a, TemplatePort b, int warmup,
                          int packets) throws InterruptedException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        AtomicReference<Window> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                FrameCache cache = new FrameCache(pool, 512);
                PacketVector burst = new PacketVector(64);
                long t = Thread.currentThread().threadId();
                long now = route(graph, a, b, burst, cache, warmup, 1_000_000_000L);
                Window measured = null;
                for (int window = 0; window < 4 && (measured == null || measured.allocated() != 0); window++) {
                    long before = threads.getThreadAllocatedBytes(t);
                    long start = System.nanoTime();
                    now = route(graph, a, b, burst, cache, packets, now);
                    long elapsed = System.nanoTime() - start;
                    long allocated = threads.getThreadAllocatedBytes(t) - before;
                    System.out.printf("%s window %d: allocated %d bytes%n", label, window, allocated);
                    measured = new Window(allocated, packets, elapsed);
                }
                result.set(measured);
            } catch (Throwable e) {
                failure.set(e);
            }
        }, label + "-zero-allocation-worker");
        worker.start();
        worker.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        Window w = result.get();
        System.out.printf("%s path: %d packets in %d ms (%.2f Mpps)%n", label, w.packets(), w.nanos() / 1_000_000, w.mpps());
        return w;
    }

    private static long route(L3Graph graph, TemplatePort a, TemplatePort b, PacketVector burst, FrameCache cache,
                              int packets, long startNanos) {
        long routed = 0;
        long now = startNanos;
        int cycle = 0;
        while (routed < packets) {
            routed += (cycle & 1) == 0 ? a.receive(0, burst, cache) : b.receive(0, burst, cache);
            graph.process(burst, cache);
            graph.flush(cache);
            if ((++cycle & 15) == 0) {
                now += 1_000_000;
                graph.tick(now);
            }
        }
        return now;
    }
}
