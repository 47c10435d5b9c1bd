package io.podswitch.daemon.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.nativeio.NftBatch;
import io.podswitch.nativeio.NftGolden;
import io.podswitch.nativeio.bpf.IpPrefix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The masquerade table podswitchd computes from a config, and what it sends for it. */
class MasqueradeTableTest {
    private static final String IPV4 = """
            ipFamilies: [IPv4]
            podCIDRs: [10.244.0.0/16]
            serviceCIDRs: [10.96.0.0/16]
            nodeCIDRs: [192.168.1.0/24]
            node: a
            nodes:
              - {name: a, addresses: [192.168.1.1]}
            """;

    @Test
    void theExampleClusterGetsExactlyTheTableOfTheGoldenNftScript() throws Exception {
        // nft/masquerade.nft is this table written for nft; its .hex is what nft sent for it
        try (NftBatch batch = new NftBatch(0, false)) {
            MasqueradeTable.of(ConfigLoader.loadExample()).replaceIn(batch);
            NftGolden.assertSameMessages("masquerade", batch);
        }
    }

    @Test
    void singleStackHasOneFamilyAndNonMasqueradeRangesJoinTheClusterRanges() throws Exception {
        ClusterConfig config = ConfigLoader.parse(IPV4 + "nonMasqueradeCIDRs: [10.0.0.0/8, 172.16.0.0/12]\n", "c.yaml", Map.of());
        MasqueradeTable table = MasqueradeTable.of(config);
        assertEquals(List.of(IpPrefix.parse("10.244.0.0/16")), table.pods4());
        assertEquals(List.of("10.244.0.0/16", "10.96.0.0/16", "192.168.1.0/24", "10.0.0.0/8", "172.16.0.0/12"),
                table.keep4().stream().map(IpPrefix::toString).toList());
        assertTrue(table.pods6().isEmpty() && table.keep6().isEmpty());
        try (NftBatch batch = new NftBatch(0, false)) {
            table.replaceIn(batch);
            // add + delete + add table, 2 chains, 2 sets with their elements, 3 masquerade rules, 1 IPv4 jump
            assertEquals(13, batch.changes());
        }
    }

    @Test
    void onlyWhatTheTableDependsOnMakesItDifferent() throws Exception {
        ClusterConfig base = ConfigLoader.parse(IPV4, "c.yaml", Map.of());
        ClusterConfig moreNodes = ConfigLoader.parse(IPV4 + "  - {name: b, addresses: [192.168.1.2]}\n", "c.yaml", Map.of());
        ClusterConfig moreRanges = ConfigLoader.parse(IPV4 + "nonMasqueradeCIDRs: [172.16.0.0/12]\n", "c.yaml", Map.of());
        assertEquals(MasqueradeTable.of(base), MasqueradeTable.of(moreNodes), "a node joining does not touch the table");
        assertNotEquals(MasqueradeTable.of(base), MasqueradeTable.of(moreRanges));
    }
}
