package io.podswitch.daemon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.policy.CompiledPolicy;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random clusters and policies ({@link RandomPolicies}): for every pair of addresses (pods, hostNetwork pods,
 * addresses that are no pod's), four protocols and a spread of ports, the two nodes' compiled tables decide
 * exactly as {@link PolicyModel} does.
 */
class PolicyCompilerPropertiesTest {
    private static final int[] PROTOCOLS = {6, 17, 132, 1};
    private static final int[] PORTS = {53, 80, 81, 100, 443, 8080, 8130};

    @Property(tries = 300)
    void compiledTablesDecideAsTheModel(@ForAll long seed) {
        RandomPolicies r = new RandomPolicies(seed);
        var ids = CompiledPolicyTablesTest.ids(r.policies);
        CompiledPolicy one = PolicyCompiler.compile(1, r.namespaces, r.pods, r.policies, CompiledPolicyTablesTest.NODE1, ids);
        CompiledPolicy two = PolicyCompiler.compile(1, r.namespaces, r.pods, r.policies, CompiledPolicyTablesTest.NODE2, ids);
        PolicyModel model = new PolicyModel(r.namespaces, r.pods, r.policies);
        List<IpAddress> addresses = r.addresses();
        for (IpAddress src : addresses) {
            for (IpAddress dst : addresses) {
                if (src.family() != dst.family() || src.equals(dst)) {
                    continue;
                }
                for (int proto : PROTOCOLS) {
                    for (int port : PORTS) {
                        boolean expected = model.allows(src, dst, proto, port);
                        boolean actual = CompiledPolicyTablesTest.allowed(CompiledPolicyTablesTest.nodeOf(src, one, two),
                                CompiledPolicyTablesTest.nodeOf(dst, one, two), src, dst, proto, port);
                        assertEquals(expected, actual, () -> "seed " + seed + ": " + src + " → " + dst + " proto " + proto
                                + " port " + port + "\npods " + r.pods + "\npolicies " + describe(r.policies));
                    }
                }
            }
        }
    }

    private static String describe(List<NetworkPolicy> policies) {
        StringBuilder sb = new StringBuilder();
        for (NetworkPolicy p : policies) {
            sb.append("\n  ").append(p);
        }
        return sb.toString();
    }
}
