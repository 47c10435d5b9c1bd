package io.podswitch.perf.kubeproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * kube-proxy's iptables mode for a set of ClusterIP services, as {@code iptables-restore --noflush}
 * input: the jumps from the built-in chains (kube-proxy's {@code iptablesJumpChains}), the filter
 * chains (KUBE-FORWARD, REJECT for services without endpoints), and in nat KUBE-SERVICES →
 * KUBE-SVC-xxx (masquerade mark for traffic from outside the cluster CIDR, then one
 * {@code -m statistic --mode random --probability 1/(n-i)} jump per endpoint, the last without)
 * → KUBE-SEP-xxx (mark for hairpin when the source is the endpoint itself, then DNAT), and
 * KUBE-MARK-MASQ / KUBE-POSTROUTING masquerading marked packets. Argument order and comments are
 * kube-proxy's ({@code pkg/proxy/iptables/proxier.go}).
 */
public final class IptablesRules {

    static final String MASQ_MARK = "0x4000";

    private IptablesRules() {
    }

    /** The restore input; {@code clusterCidr} is kube-proxy's {@code --cluster-cidr}. */
    public static String restoreInput(List<ServicePort> services, String clusterCidr) {
        List<String> filter = new ArrayList<>();
        List<String> nat = new ArrayList<>();
        List<String> filterChains = List.of("KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS",
                "KUBE-PROXY-FIREWALL");
        List<String> natChains = new ArrayList<>(List.of("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING",
                "KUBE-MARK-MASQ"));

        filter.add("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL");
        filter.add("-A INPUT -m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS");
        filter.add("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES");
        filter.add("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL");
        filter.add("-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD");
        filter.add("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        filter.add("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES");
        filter.add("-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL");
        filter.add("-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        filter.add("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP");
        filter.add("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark " + MASQ_MARK + "/"
                + MASQ_MARK + " -j ACCEPT");
        filter.add("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");

        nat.add("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        nat.add("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        nat.add("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING");
        nat.add("-A KUBE-POSTROUTING -m mark ! --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j RETURN");
        nat.add("-A KUBE-POSTROUTING -j MARK --xor-mark " + MASQ_MARK);
        nat.add("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully");
        nat.add("-A KUBE-MARK-MASQ -j MARK --or-mark " + MASQ_MARK);

        for (ServicePort s : services) {
            String proto = s.protocol();
            String portName = s.servicePortName();
            String match = "-m " + proto + " -p " + proto + " -d " + s.clusterIp() + "/32 --dport " + s.port();
            if (s.endpoints().isEmpty()) {
                filter.add("-A KUBE-SERVICES -m comment --comment \"" + portName + " has no endpoints\" " + match
                        + " -j REJECT");
                continue;
            }
            String svc = ChainNames.iptablesService(s);
            natChains.add(svc);
            nat.add("-A KUBE-SERVICES -m comment --comment \"" + portName + " cluster IP\" " + match + " -j " + svc);
            nat.add("-A " + svc + " -m comment --comment \"" + portName + " cluster IP\" " + match + " ! -s " + clusterCidr
                    + " -j KUBE-MARK-MASQ");
            int n = s.endpoints().size();
            List<String> endpointRules = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String ep = s.endpoints().get(i);
                String sep = ChainNames.iptablesEndpoint(s, ep);
                natChains.add(sep);
                String probability = i < n - 1
                        ? " -m statistic --mode random --probability " + String.format(Locale.ROOT, "%.10f", 1.0 / (n - i))
                        : "";
                nat.add("-A " + svc + " -m comment --comment \"" + portName + " -> " + ep + "\"" + probability + " -j " + sep);
                endpointRules.add("-A " + sep + " -m comment --comment " + portName + " -s " + ServicePort.endpointIp(ep)
                        + "/32 -j KUBE-MARK-MASQ");
                endpointRules.add("-A " + sep + " -m comment --comment " + portName + " -m " + proto + " -p " + proto
                        + " -j DNAT --to-destination " + ep);
            }
            nat.addAll(endpointRules);
        }
        nat.add("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS");

        StringBuilder b = new StringBuilder();
        table(b, "filter", filterChains, filter);
        table(b, "nat", natChains, nat);
        return b.toString();
    }

    private static void table(StringBuilder b, String name, List<String> chains, List<String> rules) {
        b.append('*').append(name).append('\n');
        for (String c : chains) {
            b.append(':').append(c).append(" - [0:0]\n");
        }
        for (String r : rules) {
            b.append(r).append('\n');
        }
        b.append("COMMIT\n");
    }
}
