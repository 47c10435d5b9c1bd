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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.daemon.policy.PolicyCompiler;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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
        long podPortMac = RoutedAllocationProof.POD_PORT_MAC;
        long uplinkMac = RoutedAllocationProof.UPLINK_MAC;
        long podMac = RoutedAllocationProof.POD_MAC;
        long routerMac = RoutedAllocationProof.ROUTER_MAC;
        int pod = RoutedAllocationProof.POD;
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
            RoutedAllocationProof.Topology topo = RoutedAllocationProof.topology(podPort, uplink);

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
            L3Graph graph = new L3Graph(slab, topo.interfaces(), topo.fib4(), topo.fib6(), topo.adjacencies(), topo.neighbors(), 0,
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

            RoutedAllocationProof.Window w;
            try {
                w = RoutedAllocationProof.measure("policy", graph, pool, podPort, uplink, WARMUP, PACKETS);
            } finally {
                running.set(false);
                control.join();
            }
            assertEquals(0, w.allocated(), "bytes allocated by the worker thread on the policy path");
            for (String c : new String[] {"ip4-policy.allowed", "ip4-policy.established", "ip4-policy.revalidated",
                    "ip4-policy.denied_ingress", "ip4-policy.related", "ip4-policy.fragment", "ip4-policy.log_suppressed",
                    "ip6-policy.established", "ip6-policy.allowed", "ip4-service.un_nat"}) {
                assertTrue(graph.counter(c) > 0, c + " exercised");
            }
        }
    }
}
