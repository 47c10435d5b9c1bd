package io.podswitch.daemon.egress;

import static io.podswitch.nativeio.NftLayouts.IPPROTO_TCP;
import static io.podswitch.nativeio.NftLayouts.IPPROTO_UDP;
import static io.podswitch.nativeio.NftLayouts.NFPROTO_INET;
import static io.podswitch.nativeio.NftLayouts.NFPROTO_IPV4;
import static io.podswitch.nativeio.NftLayouts.NFPROTO_IPV6;
import static io.podswitch.nativeio.NftLayouts.NFT_JUMP;
import static io.podswitch.nativeio.NftLayouts.NFT_REG_1;
import static io.podswitch.nativeio.NftLayouts.NFT_REG_2;
import static io.podswitch.nativeio.NftLayouts.NF_ACCEPT;
import static io.podswitch.nativeio.NftLayouts.NF_INET_POST_ROUTING;
import static io.podswitch.nativeio.NftLayouts.NF_NAT_RANGE_PROTO_RANDOM_FULLY;
import static io.podswitch.nativeio.NftLayouts.NF_NAT_RANGE_PROTO_SPECIFIED;
import static io.podswitch.nativeio.NftLayouts.NF_PRIORITY_SRCNAT;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.nativeio.NftBatch;
import io.podswitch.nativeio.NftChain;
import io.podswitch.nativeio.NftExpression;
import io.podswitch.nativeio.NftSet;
import io.podswitch.nativeio.bpf.IpPrefix;
import java.util.ArrayList;
import java.util.List;

/**
 * The nf_tables table that masquerades pods' traffic to outside the cluster, as a value computed from
 * the config (two equal values program the same table). For the embedded example it is, as nft lists it:
 * <pre>
 * table inet podswitch {
 *     set pod-cidrs-v4 { type ipv4_addr; flags interval; elements = { 10.244.0.0/16 } }
 *     set no-masquerade-v4 { type ipv4_addr; flags interval;
 *                            elements = { 10.96.0.0/16, 10.244.0.0/16, 192.168.100.0/24 } }   # + nonMasqueradeCIDRs
 *     set pod-cidrs-v6 { ... }  set no-masquerade-v6 { ... }
 *     chain masquerade-pods {
 *         meta l4proto tcp counter masquerade to :32768-65535 fully-random
 *         meta l4proto udp counter masquerade to :32768-65535 fully-random
 *         counter masquerade fully-random
 *     }
 *     chain postrouting {
 *         type nat hook postrouting priority srcnat; policy accept;
 *         ip saddr @pod-cidrs-v4 ip daddr != @no-masquerade-v4 jump masquerade-pods comment "pods to outside the cluster"
 *         ip6 saddr @pod-cidrs-v6 ip6 daddr != @no-masquerade-v6 jump masquerade-pods comment "pods to outside the cluster"
 *     }
 * }
 * </pre>
 * Sources are the cluster's pod CIDRs (every node's pods, as Flannel and Calico match them); the kernel's
 * conntrack keeps each connection's mapping and un-NATs its replies. Translated source ports are drawn
 * at random (Flannel's and Calico's {@code --random-fully}: no port-allocation race between pods) from
 * 32768–65535, so a reply never lands on a port the AF_XDP uplink takes from the kernel (the NodePort
 * range 30000–32767, the tunnel ports 4789 and 6081).
 */
public record MasqueradeTable(List<IpPrefix> pods4, List<IpPrefix> keep4, List<IpPrefix> pods6, List<IpPrefix> keep6) {
    public static final String TABLE = "podswitch";
    public static final String POSTROUTING = "postrouting";
    public static final String MASQUERADE_CHAIN = "masquerade-pods";
    public static final String RULE_COMMENT = "pods to outside the cluster";
    /** Translated source ports (TCP, UDP): above the NodePort range and the tunnel ports. */
    public static final int PORT_MIN = 32768;
    public static final int PORT_MAX = 65535;

    public MasqueradeTable {
        pods4 = List.copyOf(pods4);
        keep4 = List.copyOf(keep4);
        pods6 = List.copyOf(pods6);
        keep6 = List.copyOf(keep6);
    }

    /** The table for {@code config} (families without pods get no rule). */
    public static MasqueradeTable of(ClusterConfig config) {
        return new MasqueradeTable(pods(config, IpFamily.IPV4), keep(config, IpFamily.IPV4),
                pods(config, IpFamily.IPV6), keep(config, IpFamily.IPV6));
    }

    private static List<IpPrefix> pods(ClusterConfig config, IpFamily family) {
        return config.podCidr(family).map(c -> List.of(prefix(c))).orElse(List.of());
    }

    /** Destinations that keep the pod's address: the cluster's pod, service and node ranges and nonMasqueradeCIDRs. */
    private static List<IpPrefix> keep(ClusterConfig config, IpFamily family) {
        List<IpPrefix> out = new ArrayList<>();
        config.podCidr(family).ifPresent(c -> out.add(prefix(c)));
        config.serviceCidr(family).ifPresent(c -> out.add(prefix(c)));
        config.nodeCidr(family).ifPresent(c -> out.add(prefix(c)));
        config.masquerade().nonMasqueradeCidrs(family).forEach(c -> out.add(prefix(c)));
        return out;
    }

    private static IpPrefix prefix(Cidr cidr) {
        return new IpPrefix(AddressBits.inet(cidr.network()).getAddress(), cidr.prefixLength());
    }

    /**
     * Replaces the table atomically (add + delete + create in the batch): an existing table — from
     * before a restart or a kill -9, or the running one on a reload — is swapped for this one in the same
     * kernel transaction, so there is never a moment without it.
     */
    public void replaceIn(NftBatch batch) {
        batch.deleteTableIfExists(NFPROTO_INET, TABLE).addTable(NFPROTO_INET, TABLE);
        batch.addChain(NftChain.regular(NFPROTO_INET, TABLE, MASQUERADE_CHAIN));
        batch.addChain(NftChain.base(NFPROTO_INET, TABLE, POSTROUTING, "nat", NF_INET_POST_ROUTING, NF_PRIORITY_SRCNAT,
                NF_ACCEPT));
        if (!pods4.isEmpty()) {
            batch.addSet(NFPROTO_INET, TABLE, new NftSet("pod-cidrs-v4", false, pods4));
            batch.addSet(NFPROTO_INET, TABLE, new NftSet("no-masquerade-v4", false, keep4));
        }
        if (!pods6.isEmpty()) {
            batch.addSet(NFPROTO_INET, TABLE, new NftSet("pod-cidrs-v6", true, pods6));
            batch.addSet(NFPROTO_INET, TABLE, new NftSet("no-masquerade-v6", true, keep6));
        }
        byte[] min = {(byte) (PORT_MIN >>> 8), (byte) PORT_MIN};
        byte[] max = {(byte) (PORT_MAX >>> 8), (byte) PORT_MAX};
        for (int protocol : new int[] {IPPROTO_TCP, IPPROTO_UDP}) {
            List<NftExpression> rule = new ArrayList<>(NftExpression.l4proto(protocol));
            rule.add(new NftExpression.Counter());
            rule.add(new NftExpression.Immediate(NFT_REG_1, min));
            rule.add(new NftExpression.Immediate(NFT_REG_2, max));
            rule.add(new NftExpression.Masquerade(NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM_FULLY,
                    NFT_REG_1, NFT_REG_2));
            batch.addRule(NFPROTO_INET, TABLE, MASQUERADE_CHAIN, rule, null);
        }
        // ICMP (its id is translated like a port) and every other protocol
        batch.addRule(NFPROTO_INET, TABLE, MASQUERADE_CHAIN, List.of(new NftExpression.Counter(),
                new NftExpression.Masquerade(NF_NAT_RANGE_PROTO_RANDOM_FULLY, 0, 0)), null);
        if (!pods4.isEmpty()) {
            batch.addRule(NFPROTO_INET, TABLE, POSTROUTING, toOutside(false), RULE_COMMENT);
        }
        if (!pods6.isEmpty()) {
            batch.addRule(NFPROTO_INET, TABLE, POSTROUTING, toOutside(true), RULE_COMMENT);
        }
    }

    /** {@code ip[6] saddr @pod-cidrs-vN ip[6] daddr != @no-masquerade-vN jump masquerade-pods}. */
    private static List<NftExpression> toOutside(boolean ipv6) {
        String v = ipv6 ? "v6" : "v4";
        List<NftExpression> rule = new ArrayList<>(NftExpression.nfproto(ipv6 ? NFPROTO_IPV6 : NFPROTO_IPV4));
        rule.addAll(NftExpression.addressInSet(ipv6, true, "pod-cidrs-" + v, false));
        rule.addAll(NftExpression.addressInSet(ipv6, false, "no-masquerade-" + v, true));
        rule.add(new NftExpression.Verdict(NFT_JUMP, MASQUERADE_CHAIN));
        return rule;
    }

    /** Removes the table if it is there (masquerade: false, clean shutdown). */
    public static void removeIn(NftBatch batch) {
        batch.deleteTableIfExists(NFPROTO_INET, TABLE);
    }
}
