package io.podswitch.perf.topo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Nodes for the cross-node scenarios: one namespace per node, each with its uplink veth {@code eth0}
 * into a Linux bridge that lives in a namespace of its own (the underlay; nothing on the host).
 *
 * <pre>
 *   psb&lt;id&gt;-ul: br0 ── u1 ═══ eth0 192.168.78.11/24 :psb&lt;id&gt;-node1   (ip_forward on)
 *                  └── u2 ═══ eth0 192.168.78.12/24 :psb&lt;id&gt;-node2
 * </pre>
 *
 * @param nodes     node namespaces, node i at index i-1
 * @param addresses node i's uplink IPv4 address
 */
public record CrossNodeUnderlay(String underlay, List<String> nodes, List<String> addresses, int mtu) {

    public static final String UPLINK = "eth0";

    public CrossNodeUnderlay {
        nodes = List.copyOf(nodes);
        addresses = List.copyOf(addresses);
    }

    public static String nodeAddress(int i) {
        return "192.168.78." + (10 + i);
    }

    /** Builds {@code count} nodes on a fresh underlay bridge; every link at {@code mtu}. */
    public static CrossNodeUnderlay build(Topology t, int count, int mtu) throws IOException {
        String ul = t.netns("ul");
        Exec.run(List.of("ip", "-n", ul, "link", "add", "br0", "mtu", Integer.toString(mtu), "type", "bridge",
                "stp_state", "0", "forward_delay", "0", "mcast_snooping", "0"));
        t.up(ul, "br0");
        List<String> nodes = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String ns = t.netns("node" + i);
            t.sysctl(ns, "net.ipv4.ip_forward", "1");
            t.sysctl(ns, "net.ipv6.conf.all.forwarding", "1");
            t.sysctl(ns, "net.ipv6.conf.all.accept_dad", "0");
            t.sysctl(ns, "net.ipv6.conf.default.accept_dad", "0");
            String m = Integer.toString(mtu);
            Exec.run(List.of("ip", "-n", ul, "link", "add", "u" + i, "mtu", m, "type", "veth", "peer", "name", UPLINK,
                    "mtu", m, "netns", ns));
            t.enslave(ul, "u" + i, "br0");
            t.up(ul, "u" + i);
            // NAPI on the bridge side: frames an XDP program sends into the veth need GRO or XDP on the peer
            Exec.exec(Exec.inNetns(ul, "ethtool", "-K", "u" + i, "gro", "on"), Exec.DEFAULT_TIMEOUT);
            t.up(ns, UPLINK);
            t.address(ns, UPLINK, nodeAddress(i) + "/24");
            nodes.add(ns);
            addresses.add(nodeAddress(i));
        }
        return new CrossNodeUnderlay(ul, nodes, addresses, mtu);
    }
}
