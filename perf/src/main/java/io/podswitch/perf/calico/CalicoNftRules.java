package io.podswitch.perf.calico;

import io.podswitch.perf.bench.side.PolicyRuleSet;

/**
 * The same policy as {@link CalicoIptablesRules} in nftables, as Calico's nftables data plane builds it: a
 * forward chain dispatching to the endpoint's chain, conntrack first, the policy chain with one rule per
 * NetworkPolicy rule, the pod selector as a named set. The whole table is replaced atomically on every
 * change ({@code nft -f}: add, delete, add in one transaction).
 */
final class CalicoNftRules {
    private CalicoNftRules() {
    }

    static String script(PolicyRuleSet rules, String clientIp) {
        StringBuilder b = new StringBuilder()
                .append("table ip calico { }\n")
                .append("delete table ip calico\n")
                .append("table ip calico {\n")
                .append("  set sel-client { type ipv4_addr; elements = { ").append(clientIp).append(" } }\n")
                .append("  chain forward {\n")
                .append("    type filter hook forward priority filter; policy accept;\n")
                .append("    meta mark set meta mark & 0xfffcffff\n")
                .append("    oifname \"cali-server\" jump tw-server\n")
                .append("  }\n")
                .append("  chain tw-server {\n")
                .append("    ct state established,related accept\n")
                .append("    ct state invalid drop\n");
        if (rules.none()) {
            b.append("    accept\n"); // the namespace profile: allow
        } else {
            b.append("    jump pi-bench\n")
                    .append("    meta mark & 0x10000 == 0x10000 accept\n");
        }
        b.append("    drop\n  }\n");
        b.append("  chain pi-bench {\n");
        String ports = " tcp dport { " + PolicyRuleSet.PORT + ", " + PolicyRuleSet.IPERF_PORT + " }";
        for (int i = 0; i < rules.rules(); i++) {
            b.append("    ip saddr ").append(PolicyRuleSet.blockedSource(i)).append(ports)
                    .append(" meta mark set meta mark | 0x10000 return\n");
        }
        if (!rules.none() && rules.clientAllowed()) {
            b.append("    ip saddr @sel-client").append(ports).append(" meta mark set meta mark | 0x10000 return\n");
        }
        b.append("  }\n}\n");
        return b.toString();
    }
}
