package io.podswitch.daemon.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.NetnsFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link EgressManager} in a throwaway network namespace, through what its periodic check is for:
 * someone flushing the ruleset, Docker setting FORWARD to DROP after podswitchd started, a reload
 * turning masquerading off, a clean stop; and a start with masquerading off removing a stale table.
 */
@Tag("privileged")
class EgressManagerPrivilegedTest {
    private static final String CONFIG = """
            ipFamilies: [IPv4, IPv6]
            podCIDRs: [10.244.0.0/16, "fd00:10:244::/56"]
            serviceCIDRs: [10.96.0.0/16, "fd00:10:96::/112"]
            nodeCIDRs: [192.168.1.0/24, "fd00:192:168:1::/64"]
            node: a
            nodes:
              - {name: a, addresses: [192.168.1.1, "fd00:192:168:1::1"]}
            """;
    private final String ns = "psem" + NetnsFixture.suffix();

    @BeforeEach
    void createNamespace() {
        NetnsFixture.run("ip", "netns", "add", ns);
    }

    @AfterEach
    void deleteNamespace() {
        NetnsFixture.quietly("ip", "netns", "del", ns);
    }

    private String in(String... command) {
        String[] full = new String[command.length + 4];
        System.arraycopy(new String[] {"ip", "netns", "exec", ns}, 0, full, 0, 4);
        System.arraycopy(command, 0, full, 4, command.length);
        return NetnsFixture.run(full);
    }

    private static ClusterConfig config(String extra) throws Exception {
        return ConfigLoader.parse(CONFIG + extra, "cluster.yaml", Map.of());
    }

    @Test
    void theTableAndTheForwardRulesAreKeptUpUntilACleanStop() throws Exception {
        ClusterConfig on = config("");
        EgressManager egress = Netns.call(ns, () -> EgressManager.start(on, "psw0"));
        try {
            assertEquals("1", in("cat", "/proc/sys/net/ipv4/ip_forward").strip());
            assertEquals("1", in("cat", "/proc/sys/net/ipv6/conf/all/forwarding").strip());
            assertTrue(in("nft", "list", "tables").contains("table inet podswitch"));
            assertEquals("unchanged", egress.apply(on));

            in("nft", "flush", "ruleset"); // an nftables.service restart, a firewall reload
            egress.check();
            assertTrue(in("nft", "list", "table", "inet", "podswitch").contains("jump masquerade-pods"), "programmed again");

            in("iptables", "-P", "FORWARD", "DROP"); // Docker starts after podswitchd
            egress.check();
            egress.check();
            assertEquals(List.of("-P FORWARD DROP",
                    "-A FORWARD -i psw0 -m comment --comment \"podswitch: from pods (psw0)\" -j ACCEPT",
                    "-A FORWARD -o psw0 -m comment --comment \"podswitch: to pods (psw0)\" -j ACCEPT"),
                    in("iptables", "-S", "FORWARD").lines().toList());

            ClusterConfig off = config("masquerade: false\n");
            assertEquals("off (table removed)", egress.apply(off));
            assertFalse(in("nft", "list", "tables").contains("podswitch"));
            assertEquals("unchanged", egress.apply(off));
            assertEquals("table replaced", egress.apply(on));
        } finally {
            egress.close();
        }
        assertFalse(in("nft", "list", "tables").contains("podswitch"));
        assertEquals(List.of("-P FORWARD DROP"), in("iptables", "-S", "FORWARD").lines().toList());
    }

    @Test
    void startingWithMasqueradeOffRemovesATableLeftByAKilledDaemon() throws Exception {
        in("nft", "add", "table", "inet", "podswitch");
        EgressManager egress = Netns.call(ns, () -> EgressManager.start(config("masquerade: false\n"), "psw0"));
        try {
            assertFalse(in("nft", "list", "tables").contains("podswitch"));
        } finally {
            egress.close();
        }
    }
}
