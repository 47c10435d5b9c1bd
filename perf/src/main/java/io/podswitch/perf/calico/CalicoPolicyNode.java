package io.podswitch.perf.calico;

import io.podswitch.perf.bench.side.PolicyNode;
import io.podswitch.perf.bench.side.PolicyRuleSet;
import io.podswitch.perf.topo.Exec;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;

/**
 * A node as Calico's iptables (or nftables) data plane builds it, in namespaces: pods on routed veths (the
 * pod has a /32 and a default route via 169.254.1.1, answered by proxy ARP on the host end {@code cali*};
 * the node routes each pod's /32 to its veth), forwarding on, and the NetworkPolicy of the server pod as
 * Calico renders it (see {@link CalicoIptablesRules} and {@link CalicoNftRules}): a per-endpoint "to
 * workload" chain that accepts established connections first, then a per-policy chain with one rule per
 * NetworkPolicy rule, a selector rule matching an ipset / nft set of pod addresses.
 * <pre>
 *   client pod  eth0 10.244.0.2/32 ── cali-client ─┐
 *   server pod  eth0 10.244.0.3/32 ── cali-server ─┤ [node: routes 10.244.0.x/32 → cali-x, proxy ARP, filter rules]
 *                                                    uplink0: the node's default route (proxy ARP needs one)
 * </pre>
 */
public final class CalicoPolicyNode implements PolicyNode {
    static final String CLIENT_IP = "10.244.0.2";
    static final String SERVER_IP = "10.244.0.3";
    static final String GATEWAY = "169.254.1.1";

    /** Which of Calico's data planes. */
    public enum Dataplane {
        IPTABLES("calico-iptables", "iptables-restore"), NFTABLES("calico-nftables", "nft");

        private final String subject;
        private final String tool;

        Dataplane(String subject, String tool) {
            this.subject = subject;
            this.tool = tool;
        }

        public String subject() {
            return subject;
        }

        public String tool() {
            return tool;
        }
    }

    private final Dataplane dataplane;
    private final String node;
    private final String client;
    private final String server;
    private final String implementation;

    private CalicoPolicyNode(Dataplane dataplane, String node, String client, String server, String implementation) {
        this.dataplane = dataplane;
        this.node = node;
        this.client = client;
        this.server = server;
        this.implementation = implementation;
    }

    /** Builds the node and its two pods in {@code t}, with the "no policy" rules loaded. */
    public static CalicoPolicyNode build(Topology t, Dataplane dataplane, String toolVersion) throws IOException {
        String node = t.netns("node");
        t.sysctl(node, "net.ipv4.ip_forward", "1");
        // Proxy ARP answers for 169.254.1.1 only if the node has a route to it through another interface: a real
        // node has its default route; this one gets a veth for it (no dummy interfaces in every kernel).
        t.veth(node, "uplink0", node, "uplink1");
        Exec.run(Exec.inNetns(node, "ip", "route", "add", "default", "dev", "uplink0"));
        String client = pod(t, node, "client", "cali-client", CLIENT_IP);
        String server = pod(t, node, "server", "cali-server", SERVER_IP);
        if (dataplane == Dataplane.IPTABLES) {
            Exec.run(Exec.inNetns(node, "ipset", "create", CalicoIptablesRules.CLIENT_SET, "hash:ip", "family", "inet"));
            Exec.run(Exec.inNetns(node, "ipset", "add", CalicoIptablesRules.CLIENT_SET, CLIENT_IP));
            Exec.runWithFile(node, CalicoIptablesRules.setup(), "iptables-restore", "--noflush");
        }
        CalicoPolicyNode n = new CalicoPolicyNode(dataplane, node, client, server, "Calico-style " + (dataplane
                == Dataplane.IPTABLES ? "iptables + ipset" : "nftables sets") + " rules (" + toolVersion + ")");
        n.program(new PolicyRuleSet(0, true));
        return n;
    }

    private static String pod(Topology t, String node, String role, String hostSide, String ip) throws IOException {
        String pod = t.netns(role);
        t.veth(pod, "eth0", node, hostSide);
        t.address(pod, "eth0", ip + "/32");
        Exec.run(Exec.inNetns(pod, "ip", "route", "add", GATEWAY, "dev", "eth0", "scope", "link"));
        t.route(pod, "default", GATEWAY);
        t.sysctl(node, "net.ipv4.conf." + hostSide + ".proxy_arp", "1");
        t.sysctl(node, "net.ipv4.neigh." + hostSide + ".proxy_delay", "0"); // as felix sets it: answer at once
        Exec.run(Exec.inNetns(node, "ip", "route", "add", ip + "/32", "dev", hostSide));
        return pod;
    }

    @Override
    public Change prepare(PolicyRuleSet rules) {
        String script = script(rules);
        return () -> load(script);
    }

    @Override
    public void program(PolicyRuleSet rules) throws IOException {
        load(script(rules));
    }

    private String script(PolicyRuleSet rules) {
        return dataplane == Dataplane.IPTABLES ? CalicoIptablesRules.policy(rules) : CalicoNftRules.script(rules, CLIENT_IP);
    }

    private void load(String script) throws IOException {
        if (dataplane == Dataplane.IPTABLES) {
            Exec.runWithFile(node, script, "iptables-restore", "--noflush");
        } else {
            Exec.runWithFile(node, script, "nft", "-f");
        }
    }

    @Override
    public String clientNs() {
        return client;
    }

    @Override
    public String clientIp() {
        return CLIENT_IP;
    }

    @Override
    public String serverNs() {
        return server;
    }

    @Override
    public String serverIp() {
        return SERVER_IP;
    }

    @Override
    public String implementation() {
        return implementation;
    }

    @Override
    public void close() {
        // the rules and sets live in the node namespace, deleted with the topology
    }
}
