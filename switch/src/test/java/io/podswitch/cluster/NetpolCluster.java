package io.podswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.daemon.policy.NetpolWorld;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstream NetworkPolicy e2e world on a started two-node cluster, as both truth-table tests build it (the
 * cluster file's {@code networkPolicy:} section, {@code NetworkPolicyClusterPrivilegedTest}; the API server,
 * {@code KubernetesNetworkPolicyPrivilegedTest}): the nine pods spread over the nodes in turn and wired by the
 * CNI plugin with {@code K8S_POD_NAMESPACE}/{@code K8S_POD_NAME}, their probe servers and the truth tables.
 * {@link #close} stops the servers and the cluster and checks that no namespace was left behind.
 */
final class NetpolCluster implements AutoCloseable {
    final ClusterHarness harness;
    final Map<String, ClusterPod> pods;
    final NetpolWorld world;
    final NetpolTruthTables tables;
    private final NetpolProbes.Servers servers;

    private NetpolCluster(ClusterHarness harness, Map<String, ClusterPod> pods, NetpolWorld world,
                          NetpolProbes.Servers servers) {
        this.harness = harness;
        this.pods = pods;
        this.world = world;
        this.servers = servers;
        this.tables = new NetpolTruthTables(pods, world);
    }

    /** The node (1-based) the {@code i}-th pod of {@link NetpolWorld#allPods} runs on. */
    static int nodeOf(int i) {
        return 1 + i % 2;
    }

    static String namespaceOf(String pod) {
        return pod.substring(0, pod.indexOf('/'));
    }

    static String nameOf(String pod) {
        return pod.substring(pod.indexOf('/') + 1);
    }

    /** Wires the nine pods on {@code harness} and starts their servers; closes the harness if that fails. */
    static NetpolCluster wire(ClusterHarness harness) throws Exception {
        try {
            Map<String, ClusterPod> pods = new LinkedHashMap<>();
            Map<String, List<IpAddress>> addresses = new LinkedHashMap<>();
            int i = 0;
            for (String pod : NetpolWorld.allPods()) {
                String ns = namespaceOf(pod);
                String name = nameOf(pod);
                ClusterPod p = harness.addPod(nodeOf(i), ns + "-" + name, 0, "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + ns
                        + ";K8S_POD_NAME=" + name);
                pods.put(pod, p);
                addresses.put(pod, p.addresses().stream().map(IpAddress::parse).toList());
                i++;
            }
            Map<String, String> netns = new LinkedHashMap<>();
            pods.forEach((name, p) -> netns.put(name, p.netns()));
            return new NetpolCluster(harness, pods, new NetpolWorld(addresses),
                    new NetpolProbes.Servers(netns, NetpolWorld.PORTS));
        } catch (Exception | Error e) {
            harness.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            servers.close();
        } finally {
            harness.close();
        }
        assertTrue(harness.leftoverNamespaces().isEmpty(), "left behind: " + harness.leftoverNamespaces());
    }
}
