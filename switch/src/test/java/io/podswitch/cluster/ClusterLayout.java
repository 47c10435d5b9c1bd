package io.podswitch.cluster;

import java.util.List;

/**
 * The shape of a test cluster: address families (primary first), how pod traffic crosses between
 * nodes, how podswitchd attaches to the uplink, and the addressing plan every node and pod follows.
 *
 * <pre>
 *   node i (1-based)   uplink eth0   192.168.77.(10+i)/24   fd00:77::(10+i)/64
 *                      pod CIDRs     10.244.i.0/24          fd00:10:244:i::/64   (pinned in the YAML)
 *   underlay           Linux bridge br0 in its own namespace, one veth per node
 * </pre>
 *
 * @param families  "IPv4", "IPv6" in primary-first order (one or both)
 * @param mode      {@code vxlan}, {@code geneve} or {@code direct}
 * @param attach    {@code af_xdp}, {@code udp}, {@code tap}, {@code auto}, or null to leave the key out (the default, auto)
 * @param nodes     how many nodes the cluster starts with
 * @param uplinkMtu MTU of every node's uplink veth (and of the config's {@code uplink.mtu})
 * @param podMtu    the config's {@code overlay.podMTU}, or 0 for the derived default
 * @param vni       VNI for vxlan/geneve (ignored in direct mode)
 */
public record ClusterLayout(List<String> families, String mode, String attach, int nodes, int uplinkMtu, int podMtu,
                            int vni) {

    public ClusterLayout {
        families = List.copyOf(families);
        if (families.isEmpty() || families.size() > 2 || !List.of("IPv4", "IPv6").containsAll(families)) {
            throw new IllegalArgumentException("families must be IPv4 and/or IPv6: " + families);
        }
        if (!List.of("vxlan", "geneve", "direct").contains(mode)) {
            throw new IllegalArgumentException("mode must be vxlan, geneve or direct: " + mode);
        }
        if (attach != null && !List.of("af_xdp", "udp", "tap", "auto").contains(attach)) {
            throw new IllegalArgumentException("attach must be af_xdp, udp, tap or auto: " + attach);
        }
        if (nodes < 1 || nodes > 200) {
            throw new IllegalArgumentException("nodes must be in 1..200: " + nodes);
        }
    }

    /** A layout with the defaults: uplink MTU 1500, derived pod MTU, VNI 42. */
    public static ClusterLayout of(String families, String mode, String attach, int nodes) {
        return new ClusterLayout(List.of(families.split(",")), mode, attach, nodes, 1500, 0, 42);
    }

    public ClusterLayout withNodes(int n) {
        return new ClusterLayout(families, mode, attach, n, uplinkMtu, podMtu, vni);
    }

    public String primary() {
        return families.getFirst();
    }

    /** The family the tunnels run over (the config's default: the primary family). */
    public String underlayFamily() {
        return primary();
    }

    /** UDP destination port of the tunnel: the config's default for the mode (0 in direct mode). */
    public int udpPort() {
        return switch (mode) {
            case "vxlan" -> 4789;
            case "geneve" -> 6081;
            default -> 0;
        };
    }

    /** Encapsulation overhead on the uplink per pod packet, as docs/configuration.md defines it. */
    public int overhead() {
        if (mode.equals("direct")) {
            return 0;
        }
        return underlayFamily().equals("IPv4") ? 50 : 70;
    }

    /** Short text for test names and logs, e.g. {@code IPv6,IPv4/geneve/udp}. */
    public String label() {
        return String.join(",", families) + "/" + mode + (attach == null ? "" : "/" + attach);
    }

    public static String node4(int i) {
        return "192.168.77." + (10 + i);
    }

    public static String node6(int i) {
        return "fd00:77::" + Integer.toHexString(10 + i);
    }

    public static String podCidr4(int i) {
        return "10.244." + i + ".0/24";
    }

    public static String podCidr6(int i) {
        return "fd00:10:244:" + Integer.toHexString(i) + "::/64";
    }

    /** The gateway pods of node i use (first host address of the node's pod CIDR). */
    public static String gateway(int i, String family) {
        return family.equals("IPv4") ? "10.244." + i + ".1" : "fd00:10:244:" + Integer.toHexString(i) + "::1";
    }

    /** The node's uplink addresses, primary family first. */
    public List<String> nodeAddresses(int i) {
        return families.stream().map(f -> f.equals("IPv4") ? node4(i) : node6(i)).toList();
    }

    public String nodeName(int i) {
        return "node-" + (char) ('a' + i - 1);
    }
}
