package io.podswitch.daemon.egress;

import static io.podswitch.nativeio.NftLayouts.NFPROTO_INET;
import static io.podswitch.nativeio.NftLayouts.NFPROTO_IPV4;
import static io.podswitch.nativeio.NftLayouts.NFPROTO_IPV6;
import static io.podswitch.nativeio.NftLayouts.NFPROTO_UNSPEC;
import static io.podswitch.nativeio.NftLayouts.NFT_META_IIFNAME;
import static io.podswitch.nativeio.NftLayouts.NFT_META_OIFNAME;
import static io.podswitch.nativeio.NftLayouts.NF_ACCEPT;
import static io.podswitch.nativeio.NftLayouts.NF_DROP;
import static io.podswitch.nativeio.NftLayouts.NF_INET_FORWARD;

import io.podswitch.daemon.DaemonLog;
import io.podswitch.nativeio.NfTables;
import io.podswitch.nativeio.NftBatch;
import io.podswitch.nativeio.NftChain;
import io.podswitch.nativeio.NftExpression;
import io.podswitch.nativeio.NftRuleEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps pods' forwarded traffic through a FORWARD policy of DROP. Docker sets {@code iptables -P FORWARD
 * DROP} (so do ufw and many hardening guides); every packet between the host TAP and the uplink crosses
 * the kernel's forward hook, and a drop verdict in <em>any</em> base chain there is final — an accept in
 * podswitch's own table could not undo it. So, as Flannel and Calico do, podswitchd puts two rules at the
 * top of iptables' {@code filter FORWARD} chains (IPv4 and IPv6, iptables-nft's tables in nf_tables) when
 * their policy is DROP:
 * <pre>
 *   -A FORWARD -i podswitch0 -m comment --comment "podswitch: from pods (podswitch0)" -j ACCEPT
 *   -A FORWARD -o podswitch0 -m comment --comment "podswitch: to pods (podswitch0)" -j ACCEPT
 * </pre>
 * (native nf_tables expressions that iptables lists and saves as shown). They are found again by their
 * comment, re-inserted when something removed them (checked periodically: Docker may start after
 * podswitchd) and deleted on a clean shutdown. Other base chains with a forward policy of drop (a
 * hand-written nftables firewall) are the operator's: podswitchd logs once what to add there. Legacy
 * iptables (x_tables, invisible to nf_tables) is reported once the same way. Control thread only.
 */
final class ForwardPolicyGuard {
    private final NfTables nft;
    private final String hostPort;
    private final String fromPods;
    private final String toPods;
    private final Set<String> reported = new HashSet<>();

    ForwardPolicyGuard(NfTables nft, String hostPort) {
        this.nft = nft;
        this.hostPort = hostPort;
        this.fromPods = "podswitch: from pods (" + hostPort + ")";
        this.toPods = "podswitch: to pods (" + hostPort + ")";
    }

    /** Makes sure every iptables FORWARD chain with policy DROP lets pods' traffic through; returns the chains it fixed. */
    List<NftChain> reconcile() {
        List<NftChain> fixed = new ArrayList<>();
        for (NftChain chain : nft.chains(NFPROTO_UNSPEC)) {
            if (!chain.isBase() || chain.hook() != NF_INET_FORWARD || chain.policy() != NF_DROP
                    || (chain.family() != NFPROTO_IPV4 && chain.family() != NFPROTO_IPV6 && chain.family() != NFPROTO_INET)) {
                continue;
            }
            if (isIptablesForward(chain)) {
                if (ensureAccepts(chain)) {
                    fixed.add(chain);
                }
            } else if (reported.add(chain.toString())) {
                DaemonLog.info("forward chain " + chain + " has policy drop; podswitchd changes only iptables' FORWARD "
                        + "chains, so add to it: iifname \"" + hostPort + "\" accept; oifname \"" + hostPort
                        + "\" accept — or pods cannot reach outside the cluster");
            }
        }
        reportLegacyIptables();
        return fixed;
    }

    /** Deletes the accept rules from every iptables FORWARD chain (clean shutdown). */
    void remove() {
        for (NftChain chain : nft.chains(NFPROTO_UNSPEC)) {
            if (chain.isBase() && isIptablesForward(chain)) {
                List<NftRuleEntry> ours = ours(chain);
                if (!ours.isEmpty()) {
                    try (NftBatch batch = nft.batch()) {
                        ours.forEach(r -> batch.deleteRule(chain.family(), chain.table(), chain.name(), r.handle()));
                        nft.commit(batch);
                    }
                }
            }
        }
    }

    private static boolean isIptablesForward(NftChain chain) {
        return (chain.family() == NFPROTO_IPV4 || chain.family() == NFPROTO_IPV6)
                && chain.table().equals("filter") && chain.name().equals("FORWARD");
    }

    /** Both rules present: nothing to do. Otherwise what is left of them goes and both are inserted at the top. */
    private boolean ensureAccepts(NftChain chain) {
        List<NftRuleEntry> ours = ours(chain);
        boolean from = ours.stream().anyMatch(r -> fromPods.equals(r.comment()));
        boolean to = ours.stream().anyMatch(r -> toPods.equals(r.comment()));
        if (from && to && ours.size() == 2) {
            return false;
        }
        try (NftBatch batch = nft.batch()) {
            ours.forEach(r -> batch.deleteRule(chain.family(), chain.table(), chain.name(), r.handle()));
            batch.insertRule(chain.family(), chain.table(), chain.name(), accept(NFT_META_OIFNAME), toPods);
            batch.insertRule(chain.family(), chain.table(), chain.name(), accept(NFT_META_IIFNAME), fromPods);
            nft.commit(batch);
        }
        DaemonLog.info("forward chain " + chain + " has policy drop (Docker sets it): inserted accept rules for "
                + hostPort + " at its top");
        return true;
    }

    private List<NftRuleEntry> ours(NftChain chain) {
        return nft.rules(chain.family(), chain.table(), chain.name()).stream()
                .filter(r -> fromPods.equals(r.comment()) || toPods.equals(r.comment())).toList();
    }

    /** {@code iifname/oifname HOSTPORT counter accept}. */
    private List<NftExpression> accept(int metaKey) {
        List<NftExpression> rule = new ArrayList<>(NftExpression.interfaceName(metaKey, hostPort));
        rule.add(new NftExpression.Counter());
        rule.add(new NftExpression.Verdict(NF_ACCEPT, null));
        return rule;
    }

    /** x_tables' filter table is not in nf_tables: its FORWARD policy cannot be read or fixed from here. */
    private void reportLegacyIptables() {
        for (String file : List.of("ip_tables_names", "ip6_tables_names")) {
            try {
                Path names = Path.of("/proc/thread-self/net", file);
                if (Files.exists(names) && Files.readAllLines(names).contains("filter") && reported.add(file)) {
                    String tool = file.startsWith("ip6") ? "ip6tables-legacy" : "iptables-legacy";
                    DaemonLog.info("legacy " + tool + " filter table present: podswitchd cannot see its FORWARD policy; "
                            + "if it is DROP, run: " + tool + " -I FORWARD -i " + hostPort + " -j ACCEPT; " + tool
                            + " -I FORWARD -o " + hostPort + " -j ACCEPT");
                }
            } catch (IOException ignored) {
                // no x_tables in this kernel
            }
        }
    }
}
