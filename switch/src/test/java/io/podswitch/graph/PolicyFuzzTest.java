package io.podswitch.graph;

import static io.podswitch.graph.ServiceFrames.ACK;
import static io.podswitch.graph.ServiceFrames.SYN;
import static io.podswitch.graph.ServiceFrames.tcp4;
import static io.podswitch.graph.ServiceFrames.tcp6;
import static io.podswitch.graph.ServiceFrames.udp4;
import static io.podswitch.graph.ServiceFrames.udp6;
import static io.podswitch.graph.ServiceGoldenTest.fromPod;
import static io.podswitch.graph.ServiceGoldenTest.fromRouter;
import static io.podswitch.graph.ServiceHarness.POD_PORT;
import static io.podswitch.graph.ServiceHarness.UPLINK;
import static io.podswitch.graph.ServiceHarness.ep4;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.LabelRequirement;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import io.podswitch.daemon.policy.PolicyCompiler;
import io.podswitch.policy.PolicyTables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzed policies and packets: random policy sets over the harness's pods (recompiled and swapped every few
 * hundred packets, so connections are revalidated all the time) and mutated traffic in both families — TCP,
 * UDP, SCTP, ICMP echo and errors, fragments, IPv6 extension headers, truncations and bit flips — never crash
 * the policy stage, never leak a frame, and every packet the stage does not pass on is counted as a drop.
 */
class PolicyFuzzTest {
    private static final String[] NAMESPACES = {"x", "y"};
    private static final String[] PODS = {"a", "b", "c"};

    @Test
    void fuzzedPoliciesAndPacketsNeverCrashLeakOrDropUncounted() {
        PolicyTables tables = new PolicyTables(64, 2);
        try (ServiceHarness h = new ServiceHarness(256, tables)) {
            h.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080), ep4("10.0.0.10", 8080)));
            int a = ip4("10.0.0.10");
            int b = ip4("10.0.0.20");
            int c = ip4("172.16.0.5");
            byte[] a6 = ip6("fd00::10");
            byte[] c6 = ip6("2001:db8::5");
            byte[] data = bytes(24, 3);
            byte[] datagram = udp4(a, c, 63, 1234, 53, data, true);
            List<byte[]> fromPods = List.of(
                    fromPod(tcp4(a, c, 64, 40000, 80, SYN, 1, 0, data)),
                    fromPod(tcp4(a, ip4("10.96.0.10"), 64, 40001, 80, SYN, 1, 0, data)),
                    fromPod(udp4(a, c, 64, 1234, 53, data, true)),
                    fromPod(udp4(b, a, 64, 1234, 81, data, true)),
                    fromPod(TestFrames.ip4Packet(a, c, 64, 132, 0, 1, bytes(16, 2))),
                    fromPod(TestFrames.ip4Packet(a, c, 64, 1, 0, 2, TestFrames.icmp4(8, 0, 7, data))),
                    fromPod(tcp6(a6, c6, 64, 40000, 80, SYN, 1, 0, data)),
                    fromPod(udp6(a6, c6, 64, 1234, 53, data)));
            List<byte[]> fromUplink = List.of(
                    fromRouter(tcp4(c, a, 64, 80, 40000, SYN | ACK, 1, 1, data)),
                    fromRouter(tcp4(c, a, 64, 9999, 22, SYN, 1, 0, data)),
                    fromRouter(tcp4(c, a, 64, 8080, 40001, ACK, 1, 1, data)),
                    fromRouter(udp4(c, a, 64, 53, 1234, data, true)),
                    fromRouter(TestFrames.ip4Packet(c, a, 64, 1, 0, 3, TestFrames.icmp4(3, 3, 0, java.util.Arrays.copyOf(datagram, 28)))),
                    fromRouter(TestFrames.ip4Packet(c, a, 64, 17, 0x0003, 4, data)),
                    fromRouter(TestFrames.ip4Packet(c, a, 64, 1, 0, 5, TestFrames.icmp4(0, 0, 7, data))),
                    fromRouter(tcp6(c6, a6, 64, 80, 40000, ACK, 1, 1, data)),
                    fromRouter(TestFrames.ip6Packet(c6, a6, 64, 44, TestFrames.concat(new byte[] {17, 0, 0, 8, 0, 0, 0, 1}, data))),
                    fromRouter(TestFrames.ip6Packet(c6, a6, 64, 0, TestFrames.concat(new byte[] {6, 0, 1, 4, 0, 0, 0, 0}, data))),
                    fromRouter(TestFrames.ip6Packet(c6, a6, 64, 58, TestFrames.icmp6(c6, a6, 128, 0, 0x0001_0001, data))));
            Random random = new Random(13);
            Map<NamespacedName, Integer> ids = new HashMap<>();
            long generation = 1;
            for (int round = 0; round < 20_000; round++) {
                if (round % 300 == 0) {
                    List<NetworkPolicy> policies = randomPolicies(random);
                    for (NetworkPolicy p : policies) {
                        ids.computeIfAbsent(p.id(), k -> ids.size());
                    }
                    tables.publish(PolicyCompiler.compile(++generation, List.of(NamespaceInfo.of("x", Map.of("team", "a")),
                            NamespaceInfo.of("y", Map.of())), PolicyGoldenTest.PODS, policies, PolicyGoldenTest.THIS_NODE, ids));
                }
                boolean pod = random.nextBoolean();
                List<byte[]> seeds = pod ? fromPods : fromUplink;
                h.send(random.nextInt(2), pod ? POD_PORT : UPLINK, ServiceFuzzTest.mutate(seeds.get(random.nextInt(seeds.size())), random));
                if ((round & 1023) == 0) {
                    h.advance(1_000_000_000L);
                }
            }
            h.settle();
            assertEquals(h.slab.frameCount(), h.pool.available(), "every frame back in the pool");
            long judged = 0;
            for (int w = 0; w < 2; w++) {
                for (String family : new String[] {"ip4", "ip6"}) {
                    long in = h.counter(w, family + "-policy.packets");
                    long dropped = h.counter(w, family + "-policy.denied_ingress") + h.counter(w, family + "-policy.denied_egress")
                            + h.counter(w, family + "-policy.next_vector_full");
                    assertEquals(in - dropped, h.counter(w, family + "-rewrite.packets"),
                            "worker " + w + " " + family + ": every packet the policy stage kept is a counted drop");
                    judged += in;
                }
            }
            assertTrue(judged > 10_000, "mutants reached the stage: " + judged);
            assertTrue(h.counter(0, "ip4-policy.denied_ingress") + h.counter(1, "ip4-policy.denied_ingress") > 0);
            assertTrue(h.counter(0, "ip4-policy.established") + h.counter(1, "ip4-policy.established") > 0);
        }
    }

    private static List<NetworkPolicy> randomPolicies(Random r) {
        List<NetworkPolicy> out = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            out.add(NetworkPolicy.of(new NamespacedName(NAMESPACES[r.nextInt(2)], "p" + i), selector(r), r.nextBoolean(),
                    r.nextBoolean(), r.nextBoolean(), rules(r), rules(r)));
        }
        return out;
    }

    private static LabelSelector selector(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> LabelSelector.EVERYTHING;
            case 1 -> LabelSelector.of(Map.of("pod", PODS[r.nextInt(3)]));
            case 2 -> new LabelSelector(Map.of(), List.of(new LabelRequirement("pod", LabelRequirement.Operator.NOT_IN,
                    List.of(PODS[r.nextInt(3)]))));
            default -> new LabelSelector(Map.of(), List.of(new LabelRequirement("team", LabelRequirement.Operator.EXISTS,
                    List.of())));
        };
    }

    private static List<PolicyRule> rules(Random r) {
        List<PolicyRule> rules = new ArrayList<>();
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            List<PolicyPeer> peers = new ArrayList<>();
            for (int p = r.nextInt(3); p > 0; p--) {
                peers.add(switch (r.nextInt(3)) {
                    case 0 -> new PolicyPeer.Pods(r.nextBoolean() ? null : selector(r), selector(r));
                    case 1 -> new PolicyPeer.IpBlock(Cidr.parse(r.nextBoolean() ? "172.16.0.0/16" : "0.0.0.0/0"),
                            r.nextBoolean() ? List.of(Cidr.parse("172.16.0.5/32")) : List.of());
                    default -> new PolicyPeer.IpBlock(Cidr.parse("2001:db8::/32"), List.of());
                });
            }
            List<PolicyPort> ports = new ArrayList<>();
            for (int p = r.nextInt(3); p > 0; p--) {
                Protocol proto = Protocol.values()[r.nextInt(3)];
                ports.add(switch (r.nextInt(4)) {
                    case 0 -> PolicyPort.all(proto);
                    case 1 -> PolicyPort.number(proto, new int[] {22, 53, 80, 81, 8080}[r.nextInt(5)]);
                    case 2 -> PolicyPort.range(proto, 50, 90);
                    default -> PolicyPort.named(proto, "http");
                });
            }
            rules.add(new PolicyRule(peers, ports));
        }
        return rules;
    }
}
