package io.podswitch.daemon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.daemon.policy.NetpolCase.Check;
import io.podswitch.daemon.policy.NetpolCase.Step;
import io.podswitch.policy.CompiledPolicy;
import io.podswitch.policy.PortSets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled tables of two nodes (each holding half the pods) against every truth table: egress judged by
 * the source's node, ingress by the destination's, exactly as the data path splits the work.
 */
class CompiledPolicyTablesTest {
    static final NetpolWorld WORLD = NetpolWorld.synthetic();
    static final PolicyCompiler.Node NODE1 = new PolicyCompiler.Node(List.of(Cidr.parse("10.244.1.0/24"),
            Cidr.parse("fd00:10:244:1::/64")), List.of(IpAddress.parse("192.168.77.11")));
    static final PolicyCompiler.Node NODE2 = new PolicyCompiler.Node(List.of(Cidr.parse("10.244.2.0/24"),
            Cidr.parse("fd00:10:244:2::/64")), List.of(IpAddress.parse("192.168.77.12")));

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        return PolicyModelTest.cases();
    }

    /** Policy ids as a manager would give them: in name order. */
    static Map<NamespacedName, Integer> ids(List<NetworkPolicy> policies) {
        Map<NamespacedName, Integer> ids = new HashMap<>();
        policies.stream().map(NetworkPolicy::id).sorted().forEach(id -> ids.put(id, ids.size()));
        return ids;
    }

    static long lookup(CompiledPolicy snap, IpAddress a) {
        return switch (a) {
            case Ip4Address v4 -> snap.addresses().lookup4(v4.value());
            case Ip6Address v6 -> snap.addresses().lookup6(v6.high(), v6.low());
        };
    }

    /** Whether the two nodes' tables let a new connection from src to dst:port through. */
    static boolean allowed(CompiledPolicy srcNode, CompiledPolicy dstNode, IpAddress src, IpAddress dst, int proto, int port) {
        int egress = srcNode.egress(lookup(srcNode, src), lookup(srcNode, dst), proto, port);
        int ingress = dstNode.ingress(lookup(dstNode, src), lookup(dstNode, dst), proto, port);
        return egress != PortSets.DENIED && ingress != PortSets.DENIED;
    }

    static CompiledPolicy nodeOf(IpAddress a, CompiledPolicy one, CompiledPolicy two) {
        return NODE1.podCidrs().stream().anyMatch(c -> c.contains(a)) ? one : two;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void compiledTablesGiveTheExpectedTables(IpFamily family, NetpolCase c) {
        for (Step step : c.steps()) {
            Map<NamespacedName, Integer> ids = ids(step.policies());
            CompiledPolicy one = PolicyCompiler.compile(1, WORLD.namespaces(step.namespaceLabels()),
                    WORLD.pods(step.podLabels()), step.policies(), NODE1, ids);
            CompiledPolicy two = PolicyCompiler.compile(1, WORLD.namespaces(step.namespaceLabels()),
                    WORLD.pods(step.podLabels()), step.policies(), NODE2, ids);
            assertEquals(!step.policies().isEmpty(), one.enforcing());
            for (Check check : step.checks()) {
                Reachability actual = new Reachability(false);
                for (String from : NetpolWorld.allPods()) {
                    for (String to : NetpolWorld.allPods()) {
                        IpAddress src = WORLD.address(from, family);
                        IpAddress dst = WORLD.address(to, family);
                        actual.set(from, to, allowed(nodeOf(src, one, two), nodeOf(dst, one, two), src, dst,
                                check.probe().protocol().ipProtocolNumber(), check.probe().port()));
                    }
                }
                assertEquals("", check.expected().differences(actual), c.name() + " / " + step.description() + " / "
                        + check.probe() + "\nexpected\n" + check.expected() + "compiled\n" + actual);
            }
            assertTrue(one.addresses().lengths4() <= 3, "pods and a few ipBlock lengths: " + one.addresses().lengths4());
        }
    }
}
