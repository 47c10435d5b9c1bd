package io.podswitch.daemon.kubernetes.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Node objects → peers, every field and every reason a node is not used. */
class NodeTranslatorTest {
    private static ClusterConfig cluster(String families, String extra) throws Exception {
        List<String> order = List.of(families.split(", "));
        String pod = perFamily(order, "10.244.0.0/16", "\"fd00:10:244::/56\"");
        String svc = perFamily(order, "10.96.0.0/16", "\"fd00:10:96::/112\"");
        String nodes = perFamily(order, "192.168.1.0/24", "\"fd00:192:168:1::/64\"");
        return ConfigLoader.parse("source: kubernetes\nipFamilies: [" + families + "]\npodCIDRs: [" + pod + "]\nserviceCIDRs: ["
                + svc + "]\nnodeCIDRs: [" + nodes + "]\nnode: a\n" + extra, "cluster.yaml", Map.of());
    }

    private static String perFamily(List<String> order, String v4, String v6) {
        return String.join(", ", order.stream().map(f -> f.equals("IPv4") ? v4 : v6).toList());
    }

    private static Node node(String name, List<String> podCidrs, String legacyPodCidr, String... addresses) {
        Node n = new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDRs(podCidrs).withPodCIDR(legacyPodCidr).endSpec()
                .withNewStatus().addNewAddress().withType("Hostname").withAddress(name).endAddress().endStatus().build();
        for (String a : addresses) {
            String[] typed = a.split("=");
            n.getStatus().getAddresses().add(typed.length == 2 ? new NodeAddress(typed[1], typed[0]) : new NodeAddress(a, "InternalIP"));
        }
        return n;
    }


    @Test
    void aDualStackNodeInTheClustersFamilyOrderWithItsUplink() throws Exception {
        ClusterConfig c = cluster("IPv6, IPv4", "uplink: {interface: ens5}\nnodes: [{name: b, uplink: {mtu: 9000}}]\n");
        NodeVerdict v = new NodeTranslator(c).translate(node("b", List.of("10.244.2.0/24", "fd00:10:244:2::/64"), null,
                "192.168.1.2", "ExternalIP=203.0.113.2", "fd00:192:168:1::2", "192.168.1.22"));
        NodeConfig b = assertInstanceOf(NodeVerdict.Accepted.class, v).node();
        assertEquals("[fd00:10:244:2::/64, 10.244.2.0/24]", b.podCidrs().toString(), "primary family first");
        assertEquals("[fd00:192:168:1::2, 192.168.1.2]", b.addresses().toString(), "the first InternalIP of each family");
        assertEquals("ens5", b.uplink().interfaceName());
        assertEquals(9000, b.uplink().mtu());
    }

    @Test
    void olderClustersSinglePodCidrAndFamiliesTheFileDoesNotList() throws Exception {
        NodeTranslator v4 = new NodeTranslator(cluster("IPv4", ""));
        NodeConfig legacy = assertInstanceOf(NodeVerdict.Accepted.class,
                v4.translate(node("b", null, "10.244.2.0/24", "192.168.1.2"))).node();
        assertEquals("[10.244.2.0/24]", legacy.podCidrs().toString());
        NodeConfig dualInApi = assertInstanceOf(NodeVerdict.Accepted.class, v4.translate(node("c",
                List.of("10.244.3.0/24", "fd00:10:244:3::/64"), null, "fd00:192:168:1::3", "192.168.1.3"))).node();
        assertEquals("[10.244.3.0/24]", dualInApi.podCidrs().toString(), "IPv6 ignored by an IPv4-only podswitch");
        assertEquals("[192.168.1.3]", dualInApi.addresses().toString());
    }

    @Test
    void aDualStackNodeNeedsOnlyTheUnderlayFamilysAddress() throws Exception {
        NodeConfig b = assertInstanceOf(NodeVerdict.Accepted.class, new NodeTranslator(cluster("IPv4, IPv6", ""))
                .translate(node("b", List.of("10.244.2.0/24", "fd00:10:244:2::/64"), null, "192.168.1.2"))).node();
        assertEquals("[192.168.1.2]", b.addresses().toString());
    }

    @Test
    void everyReasonANodeIsNotUsed() throws Exception {
        NodeTranslator t = new NodeTranslator(cluster("IPv4, IPv6", ""));
        List<String> both = List.of("10.244.2.0/24", "fd00:10:244:2::/64");
        assertRejected(t, node("b", List.of(), null, "192.168.1.2"), "no_pod_cidr", "has no pod CIDR yet");
        assertRejected(t, node("b", null, null, "192.168.1.2"), "no_pod_cidr", "has no pod CIDR yet");
        assertRejected(t, node("b", List.of("10.244.2.0/24"), null, "192.168.1.2"), "missing_family",
                "has no IPv6 pod CIDR (spec.podCIDRs [10.244.2.0/24]; the cluster is IPv4+IPv6)");
        assertRejected(t, node("b", List.of("10.244.2.0/24", "10.244.3.0/24"), null, "192.168.1.2"), "bad_pod_cidr",
                "two IPv4 CIDRs");
        assertRejected(t, node("b", List.of("10.244.2.5/24", "fd00:10:244:2::/64"), null, "192.168.1.2"), "bad_pod_cidr",
                "has host bits set");
        assertRejected(t, node("b", List.of("banana", "fd00:10:244:2::/64"), null, "192.168.1.2"), "bad_pod_cidr",
                "spec.podCIDRs: ");
        assertRejected(t, node("b", List.of("10.244.2.0/24", "fd00:10:245:2::/64"), null, "192.168.1.2"),
                "pod_cidr_outside_cluster", "fd00:10:245:2::/64 is outside the cluster's podCIDRs fd00:10:244::/56");
        assertRejected(t, node("b", both, null), "no_internal_ip", "has no IPv4 InternalIP");
        assertRejected(t, node("b", both, null, "ExternalIP=192.168.1.2"), "no_internal_ip", "has no IPv4 InternalIP");
        assertRejected(t, node("b", both, null, "192.168.2.2"), "internal_ip_outside_node_cidrs",
                "outside the cluster's nodeCIDRs 192.168.1.0/24");
        assertRejected(t, node("b", both, null, "192.168.1.256"), "bad_internal_ip", "InternalIP '192.168.1.256'");
        assertRejected(t, new NodeBuilder().withNewMetadata().endMetadata().build(), "unnamed", "has no metadata.name");
    }

    /** Rejected with the reason code (the metric label) and a detail sentence containing {@code detail}. */
    private static void assertRejected(NodeTranslator t, Node n, String reason, String detail) {
        Skipped why = assertInstanceOf(NodeVerdict.Rejected.class, t.translate(n)).why();
        assertEquals(reason, why.reason(), why.detail());
        assertTrue(why.detail().contains(detail), why.detail());
    }
}
