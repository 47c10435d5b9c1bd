package io.podswitch.graph;

import static io.podswitch.daemon.policy.Policies.allowAll;
import static io.podswitch.daemon.policy.Policies.cidr;
import static io.podswitch.daemon.policy.Policies.from;
import static io.podswitch.daemon.policy.Policies.labels;
import static io.podswitch.daemon.policy.Policies.peers;
import static io.podswitch.daemon.policy.Policies.podsIn;
import static io.podswitch.daemon.policy.Policies.policy;
import static io.podswitch.daemon.policy.Policies.rule;
import static io.podswitch.daemon.policy.Policies.tcp;
import static io.podswitch.daemon.policy.Policies.udp;
import static io.podswitch.graph.ServiceFrames.ACK;
import static io.podswitch.graph.ServiceFrames.SYN;
import static io.podswitch.graph.ServiceFrames.tcp4;
import static io.podswitch.graph.ServiceFrames.tcp6;
import static io.podswitch.graph.ServiceFrames.udp4;
import static io.podswitch.graph.ServiceFrames.udp6;
import static io.podswitch.graph.ServiceHarness.POD_PORT;
import static io.podswitch.graph.ServiceHarness.UPLINK;
import static io.podswitch.graph.ServiceHarness.ep4;
import static io.podswitch.graph.ServiceGoldenTest.fromPod;
import static io.podswitch.graph.ServiceGoldenTest.fromRouter;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.icmp4;
import static io.podswitch.graph.TestFrames.icmp6;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.ContainerPort;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.daemon.policy.PolicyCompiler;
import io.podswitch.policy.DenyLog;
import io.podswitch.policy.PolicyTables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The policy stage on frames, two workers (pod port on worker 0, uplink on worker 1: replies cross workers).
 * This node holds pods x/a (10.0.0.10, fd00::10) and x/b (10.0.0.20, fd00::20); y/c (172.16.0.5,
 * 2001:db8::5) is a pod on another node behind the uplink; 192.168.1.77 is one of this node's addresses.
 */
class PolicyGoldenTest {
    static final int A = ip4("10.0.0.10");
    static final int B = ip4("10.0.0.20");
    static final int C = ip4("172.16.0.5");
    static final int OUTSIDE = ip4("172.16.9.9");
    static final int NODE = ip4("192.168.1.77");
    static final int VIP = ip4("10.96.0.10");
    static final byte[] A6 = ip6("fd00::10");
    static final byte[] C6 = ip6("2001:db8::5");
    static final List<PodInfo> PODS = List.of(
            pod("x", "a", "10.0.0.10", "fd00::10"), pod("x", "b", "10.0.0.20", "fd00::20"),
            pod("y", "c", "172.16.0.5", "2001:db8::5"));
    static final PolicyCompiler.Node THIS_NODE = new PolicyCompiler.Node(List.of(Cidr.parse("10.0.0.0/24"),
            Cidr.parse("fd00::/64")), List.of(IpAddress.parse("192.168.1.77")));

    final PolicyTables tables = new PolicyTables(64, 2);
    final ServiceHarness h = new ServiceHarness(4096, tables);
    private long generation = 1;
    private final Map<NamespacedName, Integer> ids = new HashMap<>();

    @AfterEach
    void close() {
        h.close();
    }

    static PodInfo pod(String ns, String name, String v4, String v6) {
        return new PodInfo(new NamespacedName(ns, name), Map.of("pod", name), List.of(IpAddress.parse(v4), IpAddress.parse(v6)),
                "", false, List.of(new ContainerPort("http", Protocol.TCP, 80)));
    }

    void apply(NetworkPolicy... policies) {
        for (NetworkPolicy p : policies) {
            ids.putIfAbsent(p.id(), ids.size());
        }
        tables.publish(PolicyCompiler.compile(++generation, List.of(NamespaceInfo.of("x", Map.of()), NamespaceInfo.of("y",
                Map.of())), PODS, List.of(policies), THIS_NODE, ids));
    }

    boolean passes(int worker, int port, byte[] frame) {
        return !h.send(worker, port, frame).isEmpty();
    }

    long counter(String name) {
        return h.counter(0, name) + h.counter(1, name);
    }

    List<DenyLog.Sample> denied() {
        List<DenyLog.Sample> out = new ArrayList<>();
        for (DenyLog log : h.denyLogs) {
            log.drain(out::add);
        }
        return out;
    }

    @Test
    void withoutPoliciesTheStageIsIdle() {
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 40000, 80, SYN, 1, 0, new byte[0]))));
        assertEquals(0, counter("ip4-policy.allowed") + counter("ip4-policy.transit"));
        assertEquals(1, counter("ip4-policy.packets"), "packets pass through the node untouched");
    }

    @Test
    void ingressIsolationDropsAndCountsAgainstThePolicyAndLogsASample() {
        apply(policy("x", "allow-c-80").selectPod("a").ingress(rule(peers(podsIn(LabelSelector.EVERYTHING,
                labels("pod", "c"))), tcp(80))).build());
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 40000, 80, SYN, 1, 0, new byte[0]))), "y/c may reach x/a:80");
        assertFalse(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 40001, 81, SYN, 1, 0, new byte[0]))), "not port 81");
        assertFalse(passes(1, UPLINK, fromRouter(tcp4(OUTSIDE, A, 64, 40002, 80, SYN, 1, 0, new byte[0]))),
                "not another address");
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(C, B, 64, 40003, 81, SYN, 1, 0, new byte[0]))), "x/b is not isolated");
        assertEquals(2, counter("ip4-policy.denied_ingress"));
        assertEquals(2, tables.counters().get(0, PolicyTables.INGRESS_DENIED_PACKETS));
        assertEquals(1, tables.counters().get(0, PolicyTables.INGRESS_ALLOWED_FLOWS));
        assertEquals(3, tables.deniedPackets(0) + tables.allowedFlows(0), "nothing counted as egress");
        List<DenyLog.Sample> samples = denied();
        assertEquals(2, samples.size());
        assertEquals(81, samples.get(0).dport());
        assertFalse(samples.get(0).egress());
    }

    @Test
    void repliesOfAnAllowedConnectionPassWhileNewInboundConnectionsAreDenied() {
        apply(policy("x", "deny-ingress").selectPod("a").ingress().build());
        byte[] data = bytes(20, 3);
        assertTrue(passes(0, POD_PORT, fromPod(tcp4(A, C, 64, 41000, 80, SYN, 1, 0, new byte[0]))), "egress is open");
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 80, 41000, SYN | ACK, 9, 2, new byte[0]))),
                "the reply crosses to another worker's table and passes");
        assertTrue(passes(0, POD_PORT, fromPod(tcp4(A, C, 64, 41000, 80, ACK, 2, 10, data))));
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 80, 41000, ACK, 10, 22, data))));
        assertFalse(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 80, 41001, SYN, 1, 0, new byte[0]))),
                "a new connection inbound is denied, even from the same peer and port");
        assertEquals(3, counter("ip4-policy.established"));
        assertEquals(1, counter("ip4-policy.denied_ingress"));
    }

    @Test
    void aPolicyChangeAppliesToEstablishedConnectionsAtTheirNextPacket() {
        NetworkPolicy open = policy("x", "ingress").selectPod("a").ingress(allowAll()).build();
        NetworkPolicy closed = policy("x", "ingress").selectPod("a").ingress().build();
        apply(open);
        assertTrue(passes(1, UPLINK, fromRouter(udp4(C, A, 64, 5000, 53, bytes(8, 1), true))));
        assertTrue(passes(0, POD_PORT, fromPod(udp4(A, C, 64, 53, 5000, bytes(8, 2), true))));
        apply(closed);
        assertFalse(passes(1, UPLINK, fromRouter(udp4(C, A, 64, 5000, 53, bytes(8, 3), true))), "revoked");
        assertEquals(1, counter("ip4-policy.revoked"));
        assertTrue(passes(0, POD_PORT, fromPod(udp4(A, C, 64, 53, 5000, bytes(8, 4), true))),
                "x/a's datagram passes on its own (its egress is open) …");
        assertFalse(passes(1, UPLINK, fromRouter(udp4(C, A, 64, 5000, 53, bytes(8, 3), true))),
                "… but opens nothing: the revoked flow stays revoked");
        assertEquals(2, counter("ip4-policy.revoked"));
        assertEquals(2, counter("ip4-policy.denied_ingress"));
        apply(open);
        assertTrue(passes(1, UPLINK, fromRouter(udp4(C, A, 64, 5000, 53, bytes(8, 5), true))), "allowed again");
        assertEquals(1, counter("ip4-policy.revalidated"), "the tombstone is the connection again");
        assertTrue(passes(0, POD_PORT, fromPod(udp4(A, C, 64, 53, 5000, bytes(8, 6), true))));
        assertEquals(1, counter("ip4-policy.revalidated"), "then established");
        apply(open); // a change that still allows it
        assertTrue(passes(0, POD_PORT, fromPod(udp4(A, C, 64, 53, 5000, bytes(8, 7), true))));
        assertEquals(2, counter("ip4-policy.revalidated"), "checked once under the new policy (from the reply side)");
    }

    @Test
    void aRevokedTcpConnectionIsNotPickedUpAgainByTheOtherSide() {
        NetworkPolicy open = policy("x", "ingress").selectPod("a").ingress(allowAll()).build();
        apply(open);
        byte[] data = bytes(10, 1);
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 45000, 80, SYN, 1, 0, new byte[0]))));
        assertTrue(passes(0, POD_PORT, fromPod(tcp4(A, C, 64, 80, 45000, SYN | ACK, 7, 2, new byte[0]))));
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 45000, 80, ACK, 2, 8, data))));
        apply(policy("x", "ingress").selectPod("a").ingress().build());
        assertTrue(passes(0, POD_PORT, fromPod(tcp4(A, C, 64, 80, 45000, ACK, 8, 12, data))),
                "x/a's segment passes: its egress is open");
        assertFalse(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 45000, 80, ACK, 12, 18, data))),
                "but y/c's side of the revoked connection stays denied: x/a's mid-stream segment opened nothing");
        assertTrue(passes(0, POD_PORT, fromPod(tcp4(A, C, 64, 46000, 80, SYN, 1, 0, new byte[0]))));
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 80, 46000, SYN | ACK, 5, 2, new byte[0]))),
                "a connection x/a opens itself gets its replies");
        assertTrue(passes(0, POD_PORT, fromPod(tcp4(A, C, 64, 80, 45000, SYN, 1, 0, new byte[0]))),
                "a new connection on the revoked one's ports (a SYN) replaces the tombstone");
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 45000, 80, SYN | ACK, 5, 2, new byte[0]))),
                "and gets its replies");
    }

    @Test
    void serviceTrafficIsJudgedAgainstTheBackendAndItsRepliesBeforeUnNat() {
        h.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080)));
        apply(policy("x", "egress-to-c").selectPod("a").types(true, true).ingress()
                .egress(rule(peers(cidr("172.16.0.5/32")), tcp(8080))).build());
        assertTrue(passes(0, POD_PORT, fromPod(tcp4(A, VIP, 64, 42000, 80, SYN, 1, 0, new byte[0]))),
                "the VIP is not in the policy; the backend it goes to is");
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(C, A, 64, 8080, 42000, SYN | ACK, 5, 2, new byte[0]))),
                "the un-NATed reply (from the VIP) is the allowed connection's: ingress deny-all does not stop it");
        apply(policy("x", "egress-to-c").selectPod("a").types(true, true).ingress()
                .egress(rule(peers(cidr("10.96.0.0/16")), tcp(80))).build());
        assertFalse(passes(0, POD_PORT, fromPod(tcp4(A, VIP, 64, 42001, 80, SYN, 1, 0, new byte[0]))),
                "allowing the VIP's range does not allow the backend");
        assertEquals(1, counter("ip4-policy.denied_egress"));
    }

    @Test
    void theNodeAndThePodItselfAreAlwaysAllowed() {
        apply(policy("x", "deny-all").types(true, true).ingress().egress().build());
        assertTrue(passes(1, UPLINK, fromRouter(tcp4(NODE, A, 64, 50000, 8080, SYN, 1, 0, new byte[0]))), "probes from the node");
        assertTrue(passes(0, POD_PORT, fromPod(udp4(A, NODE, 64, 1000, 53, bytes(4, 1), true))), "and to it");
        assertFalse(passes(0, POD_PORT, fromPod(udp4(A, C, 64, 1000, 53, bytes(4, 1), true))));
        assertEquals(2, counter("ip4-policy.node"));
    }

    @Test
    void icmpEchoIsTrackedAndErrorsOfTrackedConnectionsAreRelated() {
        apply(policy("x", "egress-only").selectPod("a").types(true, true).ingress().egress(allowAll()).build());
        byte[] request = ip4Packet(A, C, 64, 1, 0, 1, icmp4(8, 0, 0x1234_0001, bytes(16, 1)));
        byte[] reply = ip4Packet(C, A, 64, 1, 0, 2, icmp4(0, 0, 0x1234_0001, bytes(16, 1)));
        byte[] unsolicited = ip4Packet(C, A, 64, 1, 0, 3, icmp4(8, 0, 0x5555_0001, bytes(16, 1)));
        assertTrue(passes(0, POD_PORT, fromPod(request)));
        assertTrue(passes(1, UPLINK, fromRouter(reply)), "the echo reply of a tracked request");
        assertFalse(passes(1, UPLINK, fromRouter(unsolicited)), "an echo request inbound");
        byte[] datagram = udp4(A, C, 64, 6000, 7000, bytes(10, 1), true);
        assertTrue(passes(0, POD_PORT, fromPod(datagram)));
        byte[] quote = java.util.Arrays.copyOf(datagram, 28);
        byte[] error = ip4Packet(C, A, 64, 1, 0, 4, icmp4(3, 3, 0, quote));
        assertTrue(passes(1, UPLINK, fromRouter(error)), "port unreachable about the datagram: related");
        byte[] otherQuote = java.util.Arrays.copyOf(udp4(A, C, 64, 6001, 7000, bytes(10, 1), true), 28);
        assertFalse(passes(1, UPLINK, fromRouter(ip4Packet(C, A, 64, 1, 0, 5, icmp4(3, 3, 0, otherQuote)))),
                "an error about nothing this node let out");
        assertEquals(1, counter("ip4-policy.related"));
    }

    @Test
    void nonFirstFragmentsPassOnlyWhereEveryPortOfTheirProtocolDoes() {
        apply(policy("x", "udp-80").selectPod("a").ingress(rule(peers(), udp(80))).build(),
                policy("x", "all-udp").selectPod("b").ingress(rule(peers(), PolicyPort.all(Protocol.UDP))).build());
        byte[] fragmentToA = ip4Packet(C, A, 64, 17, 0x0002, 9, bytes(40, 1)); // offset 16 bytes, no MF
        byte[] fragmentToB = ip4Packet(C, B, 64, 17, 0x0002, 9, bytes(40, 1));
        assertFalse(passes(1, UPLINK, fromRouter(fragmentToA)));
        assertTrue(passes(1, UPLINK, fromRouter(fragmentToB)));
        assertEquals(1, counter("ip4-policy.fragment"));
    }

    @Test
    void ipv6IsJudgedAsIpv4Is() {
        apply(policy("x", "allow-c-80").selectPod("a").ingress(rule(peers(podsIn(LabelSelector.EVERYTHING,
                labels("pod", "c"))), tcp(80))).build());
        assertTrue(passes(1, UPLINK, fromRouter(tcp6(C6, A6, 64, 40000, 80, SYN, 1, 0, new byte[0]))));
        assertTrue(passes(0, POD_PORT, fromPod(tcp6(A6, C6, 64, 80, 40000, SYN | ACK, 1, 2, new byte[0]))));
        assertFalse(passes(1, UPLINK, fromRouter(tcp6(C6, A6, 64, 40000, 81, SYN, 1, 0, new byte[0]))));
        assertFalse(passes(1, UPLINK, fromRouter(udp6(C6, A6, 64, 40000, 80, bytes(8, 1)))));
        byte[] echo = icmp6(C6, A6, 128, 0, 0x0001_0001, bytes(8, 1));
        assertFalse(passes(1, UPLINK, fromRouter(ip6Packet(C6, A6, 64, 58, echo))), "ICMPv6 needs a rule without ports");
        // a non-first fragment behind a fragment header: no ports, denied here (only TCP/80 is allowed)
        byte[] fragmentHeader = {17, 0, 0, 0x10, 0, 0, 0, 1};
        assertFalse(passes(1, UPLINK, fromRouter(ip6Packet(C6, A6, 64, 44, TestFrames.concat(fragmentHeader, bytes(16, 1))))));
        assertEquals(4, counter("ip6-policy.denied_ingress"));
        assertEquals(1, counter("ip6-policy.fragment"));
        assertEquals(1, counter("ip6-policy.established"));
    }
}
