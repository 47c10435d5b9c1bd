package io.podswitch.perf.kubeproxy;

import java.util.ArrayList;
import java.util.List;

/**
 * kube-proxy's nftables mode for a set of IPv4 ClusterIP services, as an {@code nft -f} script: table
 * {@code ip kube-proxy}; the base chains at kube-proxy's hooks and priorities; the
 * {@code service-ips} verdict map (daddr . proto . dport → goto service chain); per service a chain
 * that marks traffic from outside the cluster CIDR for masquerading and picks an endpoint with
 * {@code numgen random mod n vmap}; per endpoint a chain that marks hairpin traffic and DNATs;
 * services without endpoints in {@code no-endpoint-services} (goto {@code reject-chain}); ClusterIP range checks.
 * Follows {@code pkg/proxy/nftables/proxier.go}.
 */
public final class NftablesRules {

    public static final String TABLE = "kube-proxy";

    private NftablesRules() {
    }

    public static String script(List<ServicePort> services, String clusterCidr, String serviceCidr) {
        List<String> l = new ArrayList<>();
        String t = "ip " + TABLE;
        l.add("add table " + t + " { comment \"rules for kube-proxy\" ; }");
        l.add("add chain " + t + " mark-for-masquerade");
        l.add("add rule " + t + " mark-for-masquerade mark set mark or 0x4000");
        l.add("add chain " + t + " masquerading");
        l.add("add rule " + t + " masquerading mark and 0x4000 == 0 return");
        l.add("add rule " + t + " masquerading mark set mark xor 0x4000");
        l.add("add rule " + t + " masquerading masquerade fully-random");
        l.add("add chain " + t + " reject-chain { comment \"helper for @no-endpoint-services / @no-endpoint-nodeports\" ; }");
        l.add("add rule " + t + " reject-chain reject");
        l.add("add chain " + t + " services");
        l.add("add chain " + t + " service-endpoints-check");
        l.add("add chain " + t + " nodeport-endpoints-check");
        l.add("add chain " + t + " firewall-check");
        l.add("add chain " + t + " cluster-ips-check");
        l.add("add chain " + t + " filter-prerouting { type filter hook prerouting priority -110 ; }");
        l.add("add rule " + t + " filter-prerouting ct state new jump firewall-check");
        l.add("add chain " + t + " filter-forward { type filter hook forward priority -110 ; }");
        l.add("add rule " + t + " filter-forward ct state new jump service-endpoints-check");
        l.add("add rule " + t + " filter-forward ct state new jump cluster-ips-check");
        l.add("add chain " + t + " filter-input { type filter hook input priority -110 ; }");
        l.add("add rule " + t + " filter-input ct state new jump nodeport-endpoints-check");
        l.add("add rule " + t + " filter-input ct state new jump service-endpoints-check");
        l.add("add chain " + t + " filter-output { type filter hook output priority -110 ; }");
        l.add("add rule " + t + " filter-output ct state new jump service-endpoints-check");
        l.add("add rule " + t + " filter-output ct state new jump firewall-check");
        l.add("add chain " + t + " nat-output { type nat hook output priority -100 ; }");
        l.add("add rule " + t + " nat-output jump services");
        l.add("add chain " + t + " nat-postrouting { type nat hook postrouting priority 100 ; }");
        l.add("add rule " + t + " nat-postrouting jump masquerading");
        l.add("add chain " + t + " nat-prerouting { type nat hook prerouting priority -100 ; }");
        l.add("add rule " + t + " nat-prerouting jump services");
        l.add("add set " + t + " cluster-ips { type ipv4_addr ; comment \"Active ClusterIPs\" ; }");
        l.add("add rule " + t + " cluster-ips-check ip daddr @cluster-ips reject comment \"Reject traffic to invalid ports of ClusterIPs\"");
        l.add("add rule " + t + " cluster-ips-check ip daddr { " + serviceCidr + " } drop comment \"Drop traffic to unallocated ClusterIPs\"");
        l.add("add map " + t + " no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; "
                + "comment \"vmap to drop or reject packets to services with no endpoints\" ; }");
        l.add("add map " + t + " no-endpoint-nodeports { type inet_proto . inet_service : verdict ; "
                + "comment \"vmap to drop or reject packets to service nodeports with no endpoints\" ; }");
        l.add("add rule " + t + " service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services");
        l.add("add rule " + t + " nodeport-endpoints-check fib daddr type local meta l4proto . th dport vmap @no-endpoint-nodeports");
        l.add("add map " + t + " service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; "
                + "comment \"ClusterIP, ExternalIP and LoadBalancer IP traffic\" ; }");
        l.add("add map " + t + " service-nodeports { type inet_proto . inet_service : verdict ; "
                + "comment \"NodePort traffic\" ; }");
        l.add("add rule " + t + " services ip daddr . meta l4proto . th dport vmap @service-ips");
        l.add("add rule " + t + " services fib daddr type local meta l4proto . th dport vmap @service-nodeports");
        for (ServicePort s : services) {
            l.add("add element " + t + " cluster-ips { " + s.clusterIp() + " }");
            if (s.endpoints().isEmpty()) {
                l.add("add element " + t + " no-endpoint-services { " + s.clusterIp() + " . " + s.protocol() + " . " + s.port()
                        + " : goto reject-chain }");
                continue;
            }
            String svc = ChainNames.nftService(s);
            l.add("add chain " + t + " " + svc);
            l.add("add rule " + t + " " + svc + " ip daddr " + s.clusterIp() + " " + s.protocol() + " dport " + s.port()
                    + " ip saddr != " + clusterCidr + " jump mark-for-masquerade");
            List<String> arms = new ArrayList<>();
            for (int i = 0; i < s.endpoints().size(); i++) {
                String ep = s.endpoints().get(i);
                String chain = ChainNames.nftEndpoint(s, ep);
                arms.add(i + " : goto " + chain);
                l.add("add chain " + t + " " + chain);
                l.add("add rule " + t + " " + chain + " ip saddr " + ServicePort.endpointIp(ep) + " jump mark-for-masquerade");
                l.add("add rule " + t + " " + chain + " meta l4proto " + s.protocol() + " dnat to " + ep);
            }
            l.add("add rule " + t + " " + svc + " numgen random mod " + s.endpoints().size() + " vmap { "
                    + String.join(" , ", arms) + " }");
            l.add("add element " + t + " service-ips { " + s.clusterIp() + " . " + s.protocol() + " . " + s.port()
                    + " : goto " + svc + " }");
        }
        return String.join("\n", l) + "\n";
    }
}
