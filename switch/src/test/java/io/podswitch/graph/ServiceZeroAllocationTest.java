package io.podswitch.graph;

import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;
import io.podswitch.service.ConnTrackTimeouts;
import io.podswitch.service.FlowHash;
import io.podswitch.service.HairpinAddresses;
import io.podswitch.service.ServiceBackends;
import io.podswitch.service.ServiceConnTrack;
import io.podswitch.service.ServiceEndpoint;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;
import io.podswitch.service.SessionAffinity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.podswitch.graph.ServiceFrames.ACK;
import static io.podswitch.graph.ServiceFrames.SYN;
import static io.podswitch.graph.ServiceFrames.tcp4;
import static io.podswitch.graph.ServiceFrames.udp4;
import static io.podswitch.graph.ServiceFrames.udp6;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service path allocates nothing: after warm-up a dedicated thread pushes packets through the graph —
 * new flows (conntrack timeouts of a few ms make flows expire and return all the time), pinned flows,
 * affinity, replies un-NATed, ICMP errors translated, hairpin, node port and external IP with SNAT, pods
 * short-circuited to an external IP, an external IP reached through a host port from outside, a pod to its node's node port, Local policy drops, no-backend RSTs and port unreachables — and its allocated bytes must not grow (up to four windows; the first clean one
 * passes, as in ZeroAllocationTest).
 */
class ServiceZeroAllocationTest {
    static final int PACKETS = 3_000_000;
    static final int WARMUP = 2_000_000;

    @Test
    void servicePathAllocatesNothingAfterWarmUp() throws Exception {
        long podPortMac = RoutedAllocationProof.POD_PORT_MAC;
        long uplinkMac = RoutedAllocationProof.UPLINK_MAC;
        long podMac = RoutedAllocationProof.POD_MAC;
        long routerMac = RoutedAllocationProof.ROUTER_MAC;
        int pod = RoutedAllocationProof.POD;
        int vip = ip4("10.96.0.10");
        int hairpinVip = ip4("10.96.0.11");
        int emptyVip = ip4("10.96.0.12");
        int localOnlyVip = ip4("10.96.0.13");
        int external = ip4("203.0.113.7");
        int node = ip4("192.168.1.1");
        int client = ip4("172.16.9.9");
        byte[] pod6 = ip6("fd00::10");
        byte[] vip6 = ip6("fd96::10");
        byte[] data = bytes(64, 1);

        List<byte[]> fromPod = new ArrayList<>();
        List<byte[]> fromUplink = new ArrayList<>();
        for (int p = 0; p < 16; p++) {
            fromPod.add(eth(podPortMac, podMac, 0x0800, tcp4(pod, vip, 64, 1000 + p, 80, p < 4 ? SYN : ACK, 1, 1, data)));
            fromPod.add(eth(podPortMac, podMac, 0x86dd, udp6(pod6, vip6, 64, 2000 + p, 53, data)));
            for (int b = 1; b <= 3; b++) {
                fromUplink.add(eth(uplinkMac, routerMac, 0x0800, tcp4(ip4("172.16.0." + b), pod, 64, 8080, 1000 + p, ACK,
                        1, 1, data)));
            }
            fromUplink.add(eth(uplinkMac, routerMac, 0x86dd, udp6(ip6("2001:db8::5"), pod6, 64, 5353, 2000 + p, data)));
            fromUplink.add(eth(uplinkMac, routerMac, 0x0800, tcp4(client, node, 64, 3000 + p, 30080, SYN, 1, 0, data)));
            fromUplink.add(eth(uplinkMac, routerMac, 0x0800, tcp4(client, external, 64, 5000 + p, 80, SYN, 1, 0, data)));
            fromUplink.add(eth(uplinkMac, routerMac, 0x0800, tcp4(ip4("172.16.0.7"), node, 64, 8080, 3000 + p, ACK, 1, 1,
                    data)));
        }
        fromPod.add(eth(podPortMac, podMac, 0x0800, tcp4(pod, hairpinVip, 64, 4000, 80, ACK, 1, 1, data)));
        fromPod.add(eth(podPortMac, podMac, 0x0800, tcp4(pod, ip4("169.254.42.1"), 64, 8080, 4000, ACK, 1, 1, data)));
        fromPod.add(eth(podPortMac, podMac, 0x0800, tcp4(pod, emptyVip, 64, 4001, 80, SYN, 1, 0, data)));
        fromPod.add(eth(podPortMac, podMac, 0x0800, udp4(pod, emptyVip, 64, 4002, 53, data, true)));
        fromPod.add(eth(podPortMac, podMac, 0x0800, udp4(pod, vip, 64, 4003, 53, data, true)));
        fromPod.add(eth(podPortMac, podMac, 0x0800, tcp4(pod, localOnlyVip, 64, 4004, 80, SYN, 1, 0, data)));
        fromPod.add(eth(podPortMac, podMac, 0x0800, tcp4(pod, external, 64, 4005, 80, SYN, 1, 0, data)));
        // The port is also marked as a host port (kernel side 10.0.0.10): a foreign source is from outside.
        fromPod.add(eth(podPortMac, podMac, 0x0800, tcp4(client, external, 64, 4006, 80, SYN, 1, 0, data)));
        fromPod.add(eth(podPortMac, podMac, 0x0800, tcp4(pod, node, 64, 4007, 30080, SYN, 1, 0, data))); // own node port
        byte[] dnated = udp4(pod, ip4("172.16.0.1"), 63, 4003, 5353, data, true);
        fromUplink.add(eth(uplinkMac, routerMac, 0x0800, TestFrames.ip4Packet(ip4("172.16.0.1"), pod, 64, 1, 0, 9,
                TestFrames.icmp4(3, 3, 0, dnated))));
        TemplatePort podPort = new TemplatePort(0, fromPod.toArray(byte[][]::new));
        TemplatePort uplink = new TemplatePort(1, fromUplink.toArray(byte[][]::new));

        try (FrameSlab slab = new FrameSlab(4096)) {
            // The pod port is also the node's host port (kernel side 10.0.0.10 / fd00::10).
            RoutedAllocationProof.Topology topo = RoutedAllocationProof.topology(podPort, uplink, true);

            ServiceTable table = new ServiceTable(16, 1);
            List<ServiceEndpoint> three = List.of(ServiceEndpoint.ipv4(ip4("172.16.0.1"), 8080, 1, true, false, false),
                    ServiceEndpoint.ipv4(ip4("172.16.0.2"), 8080, 1, true, false, false),
                    ServiceEndpoint.ipv4(ip4("172.16.0.3"), 8080, 1, true, false, false));
            table.put(new ServiceEntry(0, "tcp", ServiceKind.CLUSTER_IP, 6, FlowHash.IPV4_MAPPED_HIGH,
                    FlowHash.ipv4MappedLow(vip), 80, three, false, 5_000_000L, 1, 65537));
            long[] b6 = Ip6.parse("2001:db8::5");
            long[] v6 = Ip6.parse("fd96::10");
            table.put(new ServiceEntry(1, "udp6", ServiceKind.CLUSTER_IP, 17, v6[0], v6[1], 53,
                    List.of(new ServiceEndpoint(b6[0], b6[1], 5353, 1, true, false, false)), false, 0, 1, 65537));
            table.put(new ServiceEntry(2, "hairpin", ServiceKind.CLUSTER_IP, 6, FlowHash.IPV4_MAPPED_HIGH,
                    FlowHash.ipv4MappedLow(hairpinVip), 80,
                    List.of(ServiceEndpoint.ipv4(pod, 8080, 1, true, false, true)), false, 0, 1, 65537));
            table.put(new ServiceEntry(3, "empty-tcp", ServiceKind.CLUSTER_IP, 6, FlowHash.IPV4_MAPPED_HIGH,
                    FlowHash.ipv4MappedLow(emptyVip), 80, List.of(), false, 0, 1, 65537));
            table.put(new ServiceEntry(4, "empty-udp", ServiceKind.CLUSTER_IP, 17, FlowHash.IPV4_MAPPED_HIGH,
                    FlowHash.ipv4MappedLow(emptyVip), 53, List.of(), false, 0, 1, 65537));
            table.put(new ServiceEntry(5, "np", ServiceKind.NODE_PORT, 6, FlowHash.IPV4_MAPPED_HIGH,
                    ServiceTable.NODE_PORT4_LOW, 30080,
                    List.of(ServiceEndpoint.ipv4(ip4("172.16.0.7"), 8080, 1, true, false, false)), false, 0, 1, 65537));
            table.put(new ServiceEntry(6, "udp4", ServiceKind.CLUSTER_IP, 17, FlowHash.IPV4_MAPPED_HIGH,
                    FlowHash.ipv4MappedLow(vip), 53,
                    List.of(ServiceEndpoint.ipv4(ip4("172.16.0.1"), 5353, 1, true, false, false)), false, 0, 1, 65537));
            // An external IP (from outside: SNAT to the uplink address; from the pod: short-circuited) and a
            // ClusterIP with internalTrafficPolicy: Local and no endpoint here (dropped).
            table.put(new ServiceEntry(7, "external", ServiceKind.EXTERNAL_IP, 6, FlowHash.IPV4_MAPPED_HIGH,
                    FlowHash.ipv4MappedLow(external), 80, ServiceBackends.of(three, true, true), false, false, 0, 1));
            table.put(new ServiceEntry(8, "itp-local", ServiceKind.CLUSTER_IP, 6, FlowHash.IPV4_MAPPED_HIGH,
                    FlowHash.ipv4MappedLow(localOnlyVip), 80, ServiceBackends.of(three, false, true), true, false, 0, 1));
            // Timeouts of a few ms of simulated time: flows keep expiring, so new flows keep being inserted.
            ConnTrackTimeouts fast = new ConnTrackTimeouts(2_000_000L, 5_000_000L, 2_000_000L, 2_000_000L, 3_000_000L);
            ServiceConnTrack[] tracks = {new ServiceConnTrack("service-conntrack.worker0", 1024, fast)};
            SessionAffinity affinity = new SessionAffinity("affinity.worker0", 256, 32, 4_000_000L);
            GraphServices services = new GraphServices(table, tracks, 0, affinity, HairpinAddresses.DEFAULTS, 256);
            L3Graph graph = new L3Graph(slab, topo.interfaces(), topo.fib4(), topo.fib6(), topo.adjacencies(), topo.neighbors(), 0,
                    L3GraphConfig.DEFAULTS, null, services);
            FramePool pool = new FramePool(slab);

            RoutedAllocationProof.Window w = RoutedAllocationProof.measure("service", graph, pool, podPort, uplink, WARMUP,
                    PACKETS);
            assertEquals(0, w.allocated(), "bytes allocated by the worker thread on the service path");
            for (String c : new String[] {"service.new_flows", "service.pinned", "service.affinity_hits",
                    "service.replies", "service.hairpin", "service.node_port_snat", "ip4-service.un_nat",
                    "ip4-service.icmp_un_nat", "ip6-service.dnat", "ip6-service.un_nat", "ip4-service.no_backend_rst",
                    "ip4-service.no_backend_unreachable", "ip4-service.no_local_backend"}) {
                assertTrue(graph.counter(c) > 0, c + " exercised");
            }
            assertTrue(tracks[0].size() >= 0);
        }
    }
}
