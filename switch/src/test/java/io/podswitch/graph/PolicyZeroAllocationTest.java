package io.podswitch.graph;

import static io.podswitch.daemon.policy.Policies.allowAll;
import static io.podswitch.daemon.policy.Policies.cidr;
import static io.podswitch.daemon.policy.Policies.peers;
import static io.podswitch.daemon.policy.Policies.policy;
import static io.podswitch.daemon.policy.Policies.rule;
import static io.podswitch.daemon.policy.Policies.tcp;
import static io.podswitch.graph.ServiceFrames.ACK;
import static io.podswitch.graph.ServiceFrames.SYN;
import static io.podswitch.graph.ServiceFrames.tcp4;
import static io.podswitch.graph.ServiceFrames.tcp6;
import static io.podswitch.graph.ServiceFrames.udp4;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.icmp4;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.daemon.policy.PolicyCompiler;
import io.podswitch.fib.AdjacencyTable;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;
import io.podswitch.packet.PacketVector;
import io.podswitch.policy.DenyLog;
import io.podswitch.policy.PolicyConnTrack;
import io.podswitch.policy.PolicyTables;
import io.podswitch.service.ConnTrackTimeouts;
import io.podswitch.service.FlowHash;
import io.podswitch.service.HairpinAddresses;
import io.podswitch.service.ServiceConnTrack;
import io.podswitch.service.ServiceEndpoint;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;
import io.podswitch.service.SessionAffinity;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The policy path allocates nothing: after warm-up a dedicated worker thread pushes packets through a graph
 * with services and NetworkPolicy — new connections allowed and tracked (timeouts of a few ms keep them
 * expiring), established replies, service traffic and its un-NATed replies, denied connections (deny-log
 * samples written, then suppressed), revalidation (another thread compiles and publishes a new policy
 * generation every 2 ms), ICMP echo and related errors, IPv4 fragments, IPv6 behind an extension header —
 * and its allocated bytes must not grow (up to four windows; the first clean one passes, as in the other
 * zero-allocation proofs: a late JIT compilation on a loaded machine may allocate once).
 */
class PolicyZeroAllocationTest {
    static final int PACKETS = 3_000_000;
    static final int WARMUP = 2_000_000;

    @Test
    void policyPathAllocatesNothingAfterWarmUp() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        long podPortMac = mac("02:00:00:00:00:01");
        long uplinkMac = mac("02:00:00:00:01:01");
        long podMac = mac("02:aa:00:00:00:10");
        long routerMac = mac("02:bb:00:00:00:fe");
        int pod = ip4("10.0.0.10");
        int remote = ip4("172.16.0.5");
        int vip = ip4("10.96.0.10");
        byte[] pod6 = ip6("fd00::10");
        byte[] remote6 = ip6("2001:db8::5");
        byte[] data = bytes(64, 1);

        List<byte[]> fromPod = new ArrayList<>();
        List<byte[]> fromUplink = new ArrayList<>();
        for (int p = 0; p < 16; p++) {
            fromPod.add(eth(podPortMac, podMac, 0x0800, tcp4(pod, remote, 64, 1000 + p, 80, p < 4 ? SYN : ACK, 1, 1, data)));
            fromPod.add(eth(podPortMac, podMac, 0x0800, tcp4(pod, vip, 64, 3000 + p, 80, p < 4 ? SYN : ACK, 1, 1, data)));
            fromPod.add(eth(podPortMac, podMac, 0x86dd, tcp6(pod6, remote6, 64, 2000 + p, 80, ACK, 1, 1, data)));
            fromUplink.add(eth(uplinkMac, routerMac, 0x0800, tcp4(remote, pod, 64, 80, 1000 + p, ACK, 1, 1, data)));
            fromUplink.add(eth(uplinkMac, routerMac, 0x0800, tcp4(remote, pod, 64, 8080, 3000 + p, ACK, 1, 1, data)));
            fromUplink.add(eth(uplinkMac, routerMac, 0x0800, tcp4(remote, pod, 64, 5000 + p, 22, SYN, 1, 0, data)));
            fromUplink.add(eth(uplinkMac, routerMac, 0x86dd, tcp6(remote6, pod6, 64, 80, 2000 + p, ACK, 1, 1, data)));
        }
        fromPod.add(eth(podPortMac, podMac, 0x0800, ip4Packet(pod, remote, 64, 1, 0, 1, icmp4(8, 0, 0x0001_0001, data))));
        fromUplink.add(eth(uplinkMac, routerMac, 0x0800, ip4Packet(remote, pod, 64, 1, 0, 2, icmp4(0, 0, 0x0001_0001, data))));
        byte[] datagram = udp4(pod, remote, 64, 6000, 7000, data, true);
        fromPod.add(eth(podPortMac, podMac, 0x0800, datagram));
        fromUplink.add(eth(uplinkMac, routerMac, 0x0800, ip4Packet(remote, pod, 64, 1, 0, 3,
                icmp4(3, 3, 0, java.util.Arrays.copyOf(datagram, 28)))));
        fromUplink.add(eth(uplinkMac, routerMac, 0x0800, ip4Packet(remote, pod, 64, 17, 0x0004, 4, data)));
        byte[] fragmentHeader = {6, 0, 0, 0, 0, 0, 0, 1}; // offset 0: the TCP header follows
        fromUplink.add(eth(uplinkMac, routerMac, 0x86dd, ip6Packet(remote6, pod6, 64, 44,
                TestFrames.concat(fragmentHeader, java.util.Arrays.copyOfRange(tcp6(remote6, pod6, 64, 80, 2000, ACK, 1, 1,
                        data), 40, 40 + 20 + data.length)))));
        TemplatePort podPort = new TemplatePort(0, fromPod.toArray(byte[][]::new));
        TemplatePort uplink = new TemplatePort(1, fromUplink.toArray(byte[][]::new));

        try (FrameSlab slab = new FrameSlab(4096)) {
            Interface podIf = Interface.builder(podPort, podPortMac).ip4("10.0.0.1").ip6("fd00::1").build();
            Interface upIf = Interface.builder(uplink, uplinkMac).ip4("192.168.1.1").ip6("fd01::1").uplink(true).build();
            AdjacencyTable adj = new AdjacencyTable(16);
            int local = adj.addLocal();
            int podNet = adj.addConnected(0, 0);
            int via = adj.addVia4(1, ip4("192.168.1.254"), 0);
            long[] r6 = Ip6.parse("fd01::fe");
            int via6 = adj.addVia6(1, r6[0], r6[1], 0);
            io.podswitch.fib.Ip4Fib fib4 = new io.podswitch.fib.Ip4Fib(16);
            fib4.add(ip4("10.0.0.1"), 32, local);
            fib4.add(ip4("10.0.0.0"), 24, podNet);
            fib4.add(0, 0, via);
            io.podswitch.fib.Ip6Fib fib6 = new io.podswitch.fib.Ip6Fib(64);
            long[] net6 = Ip6.parse("fd00::");
            fib6.add(net6[0], net6[1], 64, podNet);
            fib6.add(0L, 0L, 0, via6);
            NeighborTable neighbors = new NeighborTable(64);
            neighbors.putStatic4(1, ip4("192.168.1.254"), routerMac);
            neighbors.putStatic6(1, r6[0], r6[1], routerMac);
            neighbors.putStatic4(0, pod, podMac);
            long[] p6 = Ip6.parse("fd00::10");
            neighbors.putStatic6(0, p6[0], p6[1], podMac);

            ServiceTable table = new ServiceTable(16, 1);
            table.put(new ServiceEntry(0, "tcp", ServiceKind.CLUSTER_IP, 6, FlowHash.IPV4_MAPPED_HIGH,
                    FlowHash.ipv4MappedLow(vip), 80, List.of(ServiceEndpoint.ipv4(remote, 8080, 1, true, false, false)),
                    false, 0, 1, 65537));
            ConnTrackTimeouts fast = new ConnTrackTimeouts(2_000_000L, 5_000_000L, 2_000_000L, 2_000_000L, 3_000_000L);
            ServiceConnTrack[] tracks = {new ServiceConnTrack("service-conntrack", 1024, fast)};
            GraphServices services = new GraphServices(table, tracks, 0,
                    new SessionAffinity("affinity", 256, 32, 4_000_000L), HairpinAddresses.DEFAULTS, 256);
            PolicyTables policyTables = new PolicyTables(16, 1);
            PolicyConnTrack[] policyTracks = {new PolicyConnTrack("policy-conntrack", 1024, fast)};
            DenyLog log = new DenyLog(64, 100);
            GraphPolicy policy = new GraphPolicy(policyTables, policyTracks, 0, log, 256);
            L3Graph graph = new L3Graph(slab, new InterfaceTable(podIf, upIf), fib4, fib6, adj, neighbors, 0,
                    L3GraphConfig.DEFAULTS, null, services, policy);
            FramePool pool = new FramePool(slab);

            // x/a (this node) may reach y/c:80 and :8080 and ping anything; its ingress is closed.
            List<NetworkPolicy> policies = List.of(policy("x", "a").types(true, true).ingress()
                    .egress(rule(peers(cidr("172.16.0.0/16")), tcp(80), tcp(8080)), rule(peers(cidr("0.0.0.0/0")),
                            io.podswitch.config.model.policy.PolicyPort.all(io.podswitch.config.model.Protocol.UDP)),
                            rule(peers(cidr("::/0")), tcp(80)), allowAll()).build());
            Map<NamespacedName, Integer> ids = new HashMap<>(Map.of(policies.getFirst().id(), 0));
            PolicyCompiler.Node node = new PolicyCompiler.Node(List.of(Cidr.parse("10.0.0.0/24"), Cidr.parse("fd00::/64")),
                    List.of(IpAddress.parse("192.168.1.1")));
            var pods = List.of(new io.podswitch.config.model.policy.PodInfo(new NamespacedName("x", "a"), Map.of(),
                    List.of(IpAddress.parse("10.0.0.10"), IpAddress.parse("fd00::10")), "", false, List.of()),
                    new io.podswitch.config.model.policy.PodInfo(new NamespacedName("y", "c"), Map.of(),
                            List.of(IpAddress.parse("172.16.0.5"), IpAddress.parse("2001:db8::5")), "", false, List.of()));
            List<NamespaceInfo> namespaces = List.of(NamespaceInfo.of("x", Map.of()), NamespaceInfo.of("y", Map.of()));
            policyTables.publish(PolicyCompiler.compile(1, namespaces, pods, policies, node, ids));

            AtomicBoolean running = new AtomicBoolean(true);
            Thread control = new Thread(() -> {
                long generation = 2;
                while (running.get()) {
                    policyTables.publish(PolicyCompiler.compile(generation++, namespaces, pods, policies, node, ids));
                    log.drain(sample -> { });
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "policy-control");
            control.start();

            AtomicReference<long[]> result = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try {
                    FrameCache cache = new FrameCache(pool, 512);
                    PacketVector burst = new PacketVector(64);
                    long t = Thread.currentThread().threadId();
                    long now = 1_000_000_000L;
                    now = route(graph, podPort, uplink, burst, cache, WARMUP, now);
                    long[] measured = null;
                    for (int window = 0; window < 4 && (measured == null || measured[0] != 0); window++) {
                        long before = threads.getThreadAllocatedBytes(t);
                        long start = System.nanoTime();
                        now = route(graph, podPort, uplink, burst, cache, PACKETS, now);
                        long elapsed = System.nanoTime() - start;
                        long allocated = threads.getThreadAllocatedBytes(t) - before;
                        System.out.printf("policy window %d: allocated %d bytes%n", window, allocated);
                        measured = new long[] {allocated, PACKETS, elapsed};
                    }
                    result.set(measured);
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "policy-zero-allocation-worker");
            worker.start();
            worker.join();
            running.set(false);
            control.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            long[] r = result.get();
            System.out.printf("policy path: %d packets in %d ms (%.2f Mpps)%n", r[1], r[2] / 1_000_000, r[1] * 1e3 / r[2]);
            assertEquals(0, r[0], "bytes allocated by the worker thread on the policy path");
            for (String c : new String[] {"ip4-policy.allowed", "ip4-policy.established", "ip4-policy.revalidated",
                    "ip4-policy.denied_ingress", "ip4-policy.related", "ip4-policy.fragment", "ip4-policy.log_suppressed",
                    "ip6-policy.established", "ip6-policy.allowed", "ip4-service.un_nat"}) {
                assertTrue(graph.counter(c) > 0, c + " exercised");
            }
        }
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
