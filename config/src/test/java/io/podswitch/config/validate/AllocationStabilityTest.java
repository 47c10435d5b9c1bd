package io.podswitch.config.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podswitch.config.ConfigException;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Node pod CIDR allocation through the whole loader: deterministic, and stable when nodes are appended. */
class AllocationStabilityTest {

    private static String withNodes(int count) {
        StringBuilder yaml = new StringBuilder("""
                ipFamilies: [IPv6, IPv4]
                podCIDRs: ["fd00:10:244::/56", 10.244.0.0/16]
                serviceCIDRs: ["fd00:10:96::/112", 10.96.0.0/16]
                nodeCIDRs: ["fd00:192:168:100::/64", 192.168.100.0/24]
                node: n0
                nodes:
                """);
        for (int i = 0; i < count; i++) {
            yaml.append("  - {name: n").append(i).append(", addresses: [\"fd00:192:168:100::").append(Integer.toHexString(i + 1))
                    .append("\", 192.168.100.").append(i + 1).append("]");
            if (i == 2) {
                yaml.append(", podCIDRs: [\"fd00:10:244:1::/64\", 10.244.1.0/24]");
            }
            yaml.append("}\n");
        }
        return yaml.toString();
    }

    @Test
    void sameFileGivesTheSameAllocation() throws ConfigException {
        assertEquals(ConfigLoader.parse(withNodes(6), "a.yaml", Map.of()), ConfigLoader.parse(withNodes(6), "a.yaml", Map.of()));
    }

    @Test
    void explicitCidrsAreSkippedAndAppendingKeepsEveryExistingAllocation() throws ConfigException {
        ClusterConfig small = ConfigLoader.parse(withNodes(4), "a.yaml", Map.of());
        ClusterConfig large = ConfigLoader.parse(withNodes(40), "a.yaml", Map.of());
        assertEquals("fd00:10:244::/64", small.nodes().get(0).podCidrs().get(0).toString());
        assertEquals("10.244.0.0/24", small.nodes().get(0).podCidrs().get(1).toString());
        // n2 pinned subnet 1, so n1 skips it and n3 continues after it.
        assertEquals("10.244.2.0/24", small.nodes().get(1).podCidrs().get(1).toString());
        assertEquals("10.244.1.0/24", small.nodes().get(2).podCidrs().get(1).toString());
        assertEquals("10.244.3.0/24", small.nodes().get(3).podCidrs().get(1).toString());
        for (int i = 0; i < small.nodes().size(); i++) {
            NodeConfig before = small.nodes().get(i);
            assertEquals(before, large.nodes().get(i));
        }
        // 39 allocated nodes take subnets 0 and 2..39.
        assertEquals("10.244.39.0/24", large.nodes().get(39).podCidrs().get(1).toString());
    }
}
