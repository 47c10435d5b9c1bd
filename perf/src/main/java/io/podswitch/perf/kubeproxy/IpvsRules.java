package io.podswitch.perf.kubeproxy;

import java.util.ArrayList;
import java.util.List;

/**
 * kube-proxy's IPVS mode for ClusterIP services, as the commands that produce the same kernel
 * state: every ClusterIP bound to the dummy interface {@code kube-ipvs0} (so the node accepts it),
 * one virtual server per service port with the {@code rr} scheduler and each endpoint as a real
 * server in masquerading (NAT) mode, and the iptables part kube-proxy keeps in IPVS mode for
 * hairpin: KUBE-POSTROUTING masquerades connections whose source is their own destination
 * endpoint (kube-proxy matches them with the {@code KUBE-LOOP-BACK} ipset; here one rule per
 * endpoint, the same match without ipset). Needs the {@code ip_vs} module.
 */
public final class IpvsRules {

    public static final String DUMMY = "kube-ipvs0";

    private IpvsRules() {
    }

    /** Commands ({@code ip}, {@code ipvsadm}) to run in the node namespace, in order. */
    public static List<List<String>> commands(List<ServicePort> services) {
        List<List<String>> c = new ArrayList<>();
        c.add(List.of("ip", "link", "add", DUMMY, "type", "dummy"));
        for (ServicePort s : services) {
            c.add(List.of("ip", "addr", "add", s.clusterIp() + "/32", "dev", DUMMY));
            if (s.endpoints().isEmpty()) {
                continue;
            }
            String vs = s.clusterIp() + ":" + s.port();
            String flag = s.protocol().equals("tcp") ? "-t" : "-u";
            c.add(List.of("ipvsadm", "-A", flag, vs, "-s", "rr"));
            for (String ep : s.endpoints()) {
                c.add(List.of("ipvsadm", "-a", flag, vs, "-r", ep, "-m", "-w", "1"));
            }
        }
        return c;
    }

    /** {@code iptables-restore --noflush} input for the hairpin masquerade kube-proxy adds in IPVS mode. */
    public static String hairpinRestoreInput(List<ServicePort> services) {
        StringBuilder b = new StringBuilder("*nat\n:KUBE-POSTROUTING - [0:0]\n");
        b.append("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n");
        for (ServicePort s : services) {
            for (String ep : s.endpoints()) {
                String ip = ServicePort.endpointIp(ep);
                b.append("-A KUBE-POSTROUTING -m comment --comment \"Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose\" -s ")
                        .append(ip).append("/32 -d ").append(ip).append("/32 -p ").append(s.protocol()).append(" -m ")
                        .append(s.protocol()).append(" --dport ").append(ServicePort.endpointPort(ep))
                        .append(" -j MASQUERADE\n");
            }
        }
        return b.append("COMMIT\n").toString();
    }
}
