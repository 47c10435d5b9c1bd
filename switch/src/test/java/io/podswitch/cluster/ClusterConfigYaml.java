package io.podswitch.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes the cluster YAML (docs/configuration.md) for a {@link ClusterLayout}: every node with its
 * addresses, pinned pod CIDRs and uplink, the overlay settings. The same file serves every node;
 * podswitchd finds itself through {@code --node}.
 */
final class ClusterConfigYaml {
    private ClusterConfigYaml() {
    }

    /** The YAML for the first {@code nodeCount} nodes of the layout. */
    static String render(ClusterLayout layout, int nodeCount) {
        List<String> pod = new ArrayList<>();
        List<String> svc = new ArrayList<>();
        List<String> nodeNets = new ArrayList<>();
        for (String f : layout.families()) {
            boolean v4 = f.equals("IPv4");
            pod.add(v4 ? "10.244.0.0/16" : quote("fd00:10:244::/56"));
            svc.add(v4 ? "10.96.0.0/16" : quote("fd00:10:96::/112"));
            nodeNets.add(v4 ? "192.168.77.0/24" : quote("fd00:77::/64"));
        }
        StringBuilder y = new StringBuilder();
        y.append("# written by the cluster test harness: ").append(layout.label()).append('\n');
        y.append("ipFamilies: [").append(String.join(", ", layout.families())).append("]\n");
        y.append("podCIDRs: [").append(String.join(", ", pod)).append("]\n");
        y.append("serviceCIDRs: [").append(String.join(", ", svc)).append("]\n");
        y.append("nodeCIDRs: [").append(String.join(", ", nodeNets)).append("]\n");
        y.append("overlay:\n");
        y.append("  mode: ").append(layout.mode()).append('\n');
        if (!layout.mode().equals("direct")) {
            y.append("  vni: ").append(layout.vni()).append('\n');
        }
        if (layout.podMtu() > 0) {
            y.append("  podMTU: ").append(layout.podMtu()).append('\n');
        }
        y.append("nodes:\n");
        for (int i = 1; i <= nodeCount; i++) {
            List<String> addrs = new ArrayList<>();
            List<String> cidrs = new ArrayList<>();
            for (String f : layout.families()) {
                boolean v4 = f.equals("IPv4");
                addrs.add(v4 ? ClusterLayout.node4(i) : quote(ClusterLayout.node6(i)));
                cidrs.add(v4 ? ClusterLayout.podCidr4(i) : quote(ClusterLayout.podCidr6(i)));
            }
            y.append("  - name: ").append(layout.nodeName(i)).append('\n');
            y.append("    addresses: [").append(String.join(", ", addrs)).append("]\n");
            y.append("    podCIDRs: [").append(String.join(", ", cidrs)).append("]\n");
            y.append("    uplink: {interface: ").append(ClusterHarness.UPLINK).append(", mtu: ").append(layout.uplinkMtu());
            if (layout.attach() != null) {
                y.append(", attach: ").append(layout.attach());
            }
            y.append("}\n");
        }
        return y.toString();
    }

    /**
     * The YAML with {@code source: kubernetes}: the cluster CIDRs, the overlay and the uplink for every node,
     * nothing else (nodes come from the API server through {@code kubeconfig}).
     */
    static String renderKubernetes(ClusterLayout layout, java.nio.file.Path kubeconfig) {
        String nodes = render(layout, 0);
        String cluster = nodes.substring(0, nodes.indexOf("nodes:\n"));
        StringBuilder y = new StringBuilder("source: kubernetes\nkubernetes: {kubeconfig: " + kubeconfig + "}\n");
        y.append(cluster);
        y.append("uplink: {interface: ").append(ClusterHarness.UPLINK).append(", mtu: ").append(layout.uplinkMtu());
        if (layout.attach() != null) {
            y.append(", attach: ").append(layout.attach());
        }
        y.append("}\n");
        return y.toString();
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
