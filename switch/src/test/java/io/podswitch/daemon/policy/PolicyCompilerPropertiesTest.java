package io.podswitch.daemon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.policy.CompiledPolicy;
import java.util.ArrayList;
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
        assertDecidesAsTheModel(seed, r, one, two);
    }

    /**
     * The cache kept across compilations: after compiling the same policies over other pods (half the pods relabelled
     * as the next one, a quarter gone) — and after compiling other policies (the last one gone) — a compilation
     * with the warm cache decides exactly as the model (and so as a cold one).
     */
    @Property(tries = 100)
    void aCacheKeptAcrossChangesDecidesAsTheModel(@ForAll long seed) {
        RandomPolicies r = new RandomPolicies(seed);
        var ids = CompiledPolicyTablesTest.ids(r.policies);
        PolicyCompiler.Cache c1 = new PolicyCompiler.Cache();
        PolicyCompiler.Cache c2 = new PolicyCompiler.Cache();
        if (!r.policies.isEmpty()) {
            List<NetworkPolicy> fewer = r.policies.subList(0, r.policies.size() - 1);
            var fewerIds = CompiledPolicyTablesTest.ids(fewer);
            PolicyCompiler.compile(1, r.namespaces, r.pods, fewer, CompiledPolicyTablesTest.NODE1, fewerIds, c1);
            PolicyCompiler.compile(1, r.namespaces, r.pods, fewer, CompiledPolicyTablesTest.NODE2, fewerIds, c2);
        }
        List<PodInfo> changed = new ArrayList<>();
        boolean kept = false;
        for (int i = 0; i < r.pods.size(); i++) {
            PodInfo p = r.pods.get(i);
            if (i % 2 == 0) {
                PodInfo next = r.pods.get((i + 1) % r.pods.size());
                changed.add(new PodInfo(p.id(), next.labels(), p.ips(), p.nodeName(), p.hostNetwork(), p.ports()));
            } else if (i % 4 == 1) {
                changed.add(p);
                kept |= !p.hostNetwork();
            }
        }
        PolicyCompiler.compile(2, r.namespaces, changed, r.policies, CompiledPolicyTablesTest.NODE1, ids, c1);
        PolicyCompiler.compile(2, r.namespaces, changed, r.policies, CompiledPolicyTablesTest.NODE2, ids, c2);
        long reusedBefore = c1.reused();
        CompiledPolicy one = PolicyCompiler.compile(3, r.namespaces, r.pods, r.policies, CompiledPolicyTablesTest.NODE1, ids, c1);
        CompiledPolicy two = PolicyCompiler.compile(3, r.namespaces, r.pods, r.policies, CompiledPolicyTablesTest.NODE2, ids, c2);
        if (kept) {
            assertTrue(c1.reused() > reusedBefore, "the warm cache was used");
        }
        assertDecidesAsTheModel(seed, r, one, two);
    }

    private static void assertDecidesAsTheModel(long seed, RandomPolicies r, CompiledPolicy one, CompiledPolicy two) {
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
