package io.podswitch.perf.calico;

import io.podswitch.perf.bench.side.PolicyRuleSet;

/**
 * The server pod's ingress policy as Calico's iptables data plane renders it (felix: rule_renderer,
 * endpoint chains), for {@code iptables-restore --noflush}:
 * <pre>
 *   FORWARD ─► cali-FORWARD ─► cali-to-wl-dispatch ─(-o cali-server)─► cali-tw-server
 *   cali-tw-server:  ESTABLISHED,RELATED accept · INVALID drop · clear the policy marks
 *                    ─► cali-pi-bench (or the namespace profile: mark "accept" when no policy selects the pod)
 *                    mark accept? RETURN (then cali-FORWARD accepts) · else DROP
 *   cali-pi-bench:   per rule: -p tcp -s 172.16.x.y/32 --dports 8080,5201 → MARK accept; mark set? RETURN
 *                    last rule (the pod selector): -m set --match-set cali40s-client src → MARK accept; RETURN
 * </pre>
 * A rule with one CIDR matches it with {@code -s}; a pod selector matches an ipset of the selected pods'
 * addresses, as felix does. New connections walk the policy chain; established ones stop at the conntrack rule.
 */
final class CalicoIptablesRules {
    static final String CLIENT_SET = "cali40s-client";
    private static final String ACCEPT_MARK = "0x10000/0x10000";

    private CalicoIptablesRules() {
    }

    /** The chains and the FORWARD jump, once. */
    static String setup() {
        return "*filter\n"
                + ":cali-FORWARD - [0:0]\n"
                + ":cali-to-wl-dispatch - [0:0]\n"
                + ":cali-tw-server - [0:0]\n"
                + ":cali-pi-bench - [0:0]\n"
                + "-A FORWARD -m comment --comment \"cali:wUHhoiAYhphO9Mso\" -j cali-FORWARD\n"
                + "COMMIT\n";
    }

    /** The endpoint and policy chains for {@code rules} (declared chains are flushed and rewritten). */
    static String policy(PolicyRuleSet rules) {
        StringBuilder b = new StringBuilder("*filter\n")
                .append(":cali-FORWARD - [0:0]\n")
                .append(":cali-to-wl-dispatch - [0:0]\n")
                .append(":cali-tw-server - [0:0]\n")
                .append(":cali-pi-bench - [0:0]\n")
                .append("-A cali-FORWARD -j MARK --set-xmark 0x0/0x30000\n")
                .append("-A cali-FORWARD -o cali+ -j cali-to-wl-dispatch\n")
                .append("-A cali-FORWARD -m mark --mark ").append(ACCEPT_MARK).append(" -j ACCEPT\n")
                .append("-A cali-to-wl-dispatch -o cali-server -g cali-tw-server\n")
                .append("-A cali-tw-server -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n")
                .append("-A cali-tw-server -m conntrack --ctstate INVALID -j DROP\n")
                .append("-A cali-tw-server -j MARK --set-xmark 0x0/0x30000\n");
        if (rules.none()) {
            b.append("-A cali-tw-server -j MARK --set-xmark ").append(ACCEPT_MARK).append('\n'); // profile: allow
        } else {
            b.append("-A cali-tw-server -j cali-pi-bench\n");
            for (int i = 0; i < rules.rules(); i++) {
                b.append("-A cali-pi-bench -p tcp -s ").append(PolicyRuleSet.blockedSource(i))
                        .append("/32 -m multiport --dports ").append(PolicyRuleSet.PORT).append(',').append(PolicyRuleSet.IPERF_PORT)
                        .append(" -j MARK --set-xmark ").append(ACCEPT_MARK).append('\n')
                        .append("-A cali-pi-bench -m mark --mark ").append(ACCEPT_MARK).append(" -j RETURN\n");
            }
            if (rules.clientAllowed()) {
                b.append("-A cali-pi-bench -p tcp -m set --match-set ").append(CLIENT_SET)
                        .append(" src -m multiport --dports ").append(PolicyRuleSet.PORT).append(',').append(PolicyRuleSet.IPERF_PORT)
                        .append(" -j MARK --set-xmark ").append(ACCEPT_MARK).append('\n')
                        .append("-A cali-pi-bench -m mark --mark ").append(ACCEPT_MARK).append(" -j RETURN\n");
            }
        }
        b.append("-A cali-tw-server -m mark --mark ").append(ACCEPT_MARK).append(" -j RETURN\n")
                .append("-A cali-tw-server -j DROP\n")
                .append("COMMIT\n");
        return b.toString();
    }
}
