package io.podswitch.perf.topo;

import java.io.IOException;
import java.util.List;

/**
 * The kernel's own overlay, as flannel's vxlan backend builds it, on a {@link CrossNodeUnderlay}: per
 * node a bridge {@code cni0} (the pods' gateway) with a veth to each pod, and a VXLAN device
 * {@code flannel.1} with {@code nolearning}; for each remote node flannel writes three entries by
 * hand instead of letting the kernel learn: an FDB entry (remote VTEP MAC → remote node address),
 * a permanent neighbour (remote VTEP address → its MAC) and a route (remote pod CIDR via the remote
 * VTEP address, onlink, over flannel.1). Pod MTU = uplink MTU − 50.
 *
 * <pre>
 *   pod (10.244.i.2/24, mtu 1450) ═veth═ cni0 10.244.i.1/24 ─ kernel routing ─ flannel.1 10.244.i.0/32
 *        route 10.244.j.0/24 via 10.244.j.0 dev flannel.1 onlink
 *        neigh 10.244.j.0 lladdr VTEPMAC(j) dev flannel.1 permanent
 *        fdb   VTEPMAC(j) dev flannel.1 dst 192.168.78.(10+j)          ── eth0 ── underlay bridge
 * </pre>
 */
public final class FlannelVxlanTopology {
    /** The VNI flannel uses by default, and the IANA port (flannel's own default is 8472, Linux's legacy one). */
    public static final int VNI = 1;
    public static final int PORT = 4789;
    public static final int OVERHEAD = 50;

    private FlannelVxlanTopology() {
    }

    static String vtepMac(int node) {
        return String.format("0a:fe:00:00:00:%02x", node);
    }

    /** Wires node 1 and node 2 with one pod each; the path goes from node 1's pod to node 2's. */
    public static CrossNodePath build(Topology t, CrossNodeUnderlay u) throws IOException {
        return build(t, u, false);
    }

    /**
     * As {@link #build(Topology, CrossNodeUnderlay)}; with {@code segmentBeforeUplink} the nodes' uplinks
     * lose their segmentation offloads (TSO, GSO, UDP-tunnel segmentation), so the kernel cuts every
     * super-frame into MTU-sized VXLAN packets before the wire, as it must for a NIC without tunnel
     * offload. Without it, a veth underlay carries the 64 KiB super-frames whole from node to node —
     * something no physical wire does, and no AF_XDP socket can do (it moves one frame per packet).
     */
    public static CrossNodePath build(Topology t, CrossNodeUnderlay u, boolean segmentBeforeUplink) throws IOException {
        if (segmentBeforeUplink) {
            for (String node : u.nodes()) {
                Exec.run(Exec.inNetns(node, "ethtool", "-K", CrossNodeUnderlay.UPLINK, "tso", "off", "gso", "off",
                        "tx-udp_tnl-segmentation", "off", "tx-udp_tnl-csum-segmentation", "off"));
            }
        }
        int n = u.nodes().size();
        int podMtu = u.mtu() - OVERHEAD;
        String[] pods = new String[n + 1];
        for (int i = 1; i <= n; i++) {
            String node = u.nodes().get(i - 1);
            t.bridge(node, "cni0");
            t.address(node, "cni0", "10.244." + i + ".1/24");
            Exec.run(List.of("ip", "-n", node, "link", "add", "flannel.1", "address", vtepMac(i), "mtu",
                    Integer.toString(podMtu), "type", "vxlan", "id", Integer.toString(VNI), "local", u.addresses().get(i - 1),
                    "dev", CrossNodeUnderlay.UPLINK, "dstport", Integer.toString(PORT), "nolearning"));
            t.up(node, "flannel.1");
            t.address(node, "flannel.1", "10.244." + i + ".0/32");
            String pod = t.netns("pod" + i);
            Exec.run(List.of("ip", "-n", pod, "link", "add", "eth0", "mtu", Integer.toString(podMtu), "type", "veth",
                    "peer", "name", "veth" + i, "mtu", Integer.toString(podMtu), "netns", node));
            t.enslave(node, "veth" + i, "cni0");
            t.up(node, "veth" + i);
            t.up(pod, "eth0");
            t.address(pod, "eth0", "10.244." + i + ".2/24");
            t.route(pod, "default", "10.244." + i + ".1");
            pods[i] = pod;
        }
        for (int i = 1; i <= n; i++) {
            String node = u.nodes().get(i - 1);
            for (int j = 1; j <= n; j++) {
                if (j == i) {
                    continue;
                }
                Exec.run(List.of("bridge", "-n", node, "fdb", "append", vtepMac(j), "dev", "flannel.1", "dst",
                        u.addresses().get(j - 1)));
                Exec.run(List.of("ip", "-n", node, "neigh", "replace", "10.244." + j + ".0", "lladdr", vtepMac(j), "dev",
                        "flannel.1", "nud", "permanent"));
                Exec.run(List.of("ip", "-n", node, "route", "add", "10.244." + j + ".0/24", "via", "10.244." + j + ".0",
                        "dev", "flannel.1", "onlink"));
            }
        }
        String target = "10.244.2.2";
        if (!Topology.ping(pods[1], target) && !Topology.ping(pods[1], target)) {
            throw new IOException("flannel-style vxlan topology " + t.id() + ": pod on node 2 not reachable from node 1's pod");
        }
        return new CrossNodePath(pods[1], pods[2], target);
    }
}
