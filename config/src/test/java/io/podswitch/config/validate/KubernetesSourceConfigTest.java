package io.podswitch.config.validate;

import static io.podswitch.config.validate.ConfigFixture.assertError;
import static io.podswitch.config.validate.ConfigFixture.errors;
import static io.podswitch.config.validate.ConfigFixture.load;
import static io.podswitch.config.validate.ConfigFixture.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigLoader;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cli.EffectiveConfigWriter;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.ClusterSource;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.config.model.UplinkAttach;
import io.podswitch.config.model.UplinkConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code source: kubernetes}: the file keeps the cluster CIDRs, families, overlay and uplinks; nodes and
 * services come from the API server. What is accepted, what the model holds, every error with its place.
 */
class KubernetesSourceConfigTest {

    static final String KUBE = """
            source: kubernetes
            kubernetes:
              kubeconfig: /etc/podswitch/kubeconfig
            ipFamilies: [IPv4, IPv6]
            podCIDRs: [10.244.0.0/16, "fd00:10:244::/56"]
            serviceCIDRs: [10.96.0.0/16, "fd00:10:96::/112"]
            nodeCIDRs: [192.168.100.0/24, "fd00:192:168:100::/64"]
            node: node-a
            overlay:
              mode: vxlan
            uplink: {interface: ens3, mtu: 9000}
            nodes:
              - name: node-b
                uplink: {mtu: 1500, attach: udp}
            """;

    @Test
    void theFileHoldsOnlyWhatTheApiDoesNot() throws Exception {
        ClusterConfig c = load(KUBE);
        assertEquals(ClusterSource.KUBERNETES, c.source());
        assertTrue(c.fromKubernetes());
        assertEquals(Optional.of("/etc/podswitch/kubeconfig"), c.kubernetes().kubeconfig());
        assertEquals(List.of(), c.nodes(), "nodes come from the API server");
        assertEquals(List.of(), c.services());
        assertEquals("node-a", c.thisNodeName());
        assertEquals(new UplinkConfig("ens3", 9000, UplinkAttach.AUTO), c.uplinkOf("node-a"), "the cluster-wide default");
        assertEquals(new UplinkConfig("ens3", 1500, UplinkAttach.UDP), c.uplinkOf("node-b"),
                "an override takes the keys it leaves out from the default");
        assertEquals(1450, c.overlay().podMtu(), "the smallest uplink the file knows (node-b's 1500) less VXLAN's 50");
    }

    @Test
    void aMinimalFileNeedsNoNodesAndNoKubernetesBlock() throws Exception {
        String yaml = """
                source: kubernetes
                ipFamilies: [IPv4]
                podCIDRs: [10.244.0.0/16]
                serviceCIDRs: [10.96.0.0/16]
                nodeCIDRs: [192.168.100.0/24]
                """;
        ClusterConfig c = ConfigLoader.parse(yaml, "cluster.yaml", Map.of("NODE_NAME", "worker-7"));
        assertEquals("worker-7", c.thisNodeName());
        assertEquals(Optional.empty(), c.kubernetes().kubeconfig(), "the client configures itself");
        assertEquals(UplinkConfig.DEFAULT, c.uplinkOf("worker-7"));
        assertEquals(1450, c.overlay().podMtu());
        assertThrows(java.util.NoSuchElementException.class, c::thisNode, "unknown until its Node object is seen");
    }

    @Test
    void withNodesPutsInTheApiNodesAndNeedsThisOne() throws Exception {
        ClusterConfig c = load(KUBE);
        NodeConfig a = new NodeConfig("node-a", List.of(IpAddress.parse("192.168.100.11")),
                List.of(io.podswitch.config.cidr.Cidr.parse("10.244.3.0/24")), false, c.uplinkOf("node-a"));
        ClusterConfig withA = c.withNodes(List.of(a));
        assertEquals(a, withA.thisNode());
        assertEquals(c.overlay(), withA.overlay());
        NodeConfig b = new NodeConfig("node-b", a.addresses(), a.podCidrs(), false, c.uplinkOf("node-b"));
        assertThrows(IllegalArgumentException.class, () -> c.withNodes(List.of(b)), "this node must be among them");
    }

    @Test
    void showPrintsTheSourceAndLoadsBackToTheSameConfig() throws Exception {
        ClusterConfig c = load(KUBE);
        String yaml = EffectiveConfigWriter.toYaml(c);
        assertTrue(yaml.startsWith("source: kubernetes\nkubernetes: {kubeconfig: /etc/podswitch/kubeconfig}\n"), yaml);
        assertFalse(yaml.contains("services"), yaml);
        assertEquals(c, load(yaml));
    }

    @Test
    void aFileSourcePrintsAsBeforeUnlessItSetsACommonUplink() throws Exception {
        ClusterConfig file = load(ConfigFixture.BASE);
        assertEquals(ClusterSource.FILE, file.source());
        String yaml = EffectiveConfigWriter.toYaml(file);
        assertFalse(yaml.contains("source:"), yaml);
        assertFalse(yaml.contains("\nuplink:"), yaml);
        ClusterConfig common = load(ConfigFixture.BASE.replace("nodes:\n", "uplink: {mtu: 9000}\nnodes:\n"));
        String commonYaml = EffectiveConfigWriter.toYaml(common);
        assertTrue(commonYaml.contains("\nuplink: {interface: eth0, mtu: 9000, attach: auto}\n"), commonYaml);
        assertEquals(commonYaml, EffectiveConfigWriter.toYaml(load(commonYaml)), "show is a fixpoint");
    }

    @Test
    void aCommonUplinkIsEveryFileNodesDefault() throws Exception {
        String yaml = ConfigFixture.BASE.replace("nodes:\n", "uplink: {interface: ens5, mtu: 9000, attach: udp}\nnodes:\n")
                .replace("    uplink: {interface: eth0, mtu: 1500}\n  - name: node-b", "  - name: node-b");
        ClusterConfig c = load(yaml);
        assertEquals(new UplinkConfig("ens5", 9000, UplinkAttach.UDP), c.node("node-a").orElseThrow().uplink());
        assertEquals(new UplinkConfig("eth0", 1500, UplinkAttach.UDP), c.node("node-b").orElseThrow().uplink(),
                "node-b's own keys win; attach comes from the common block");
        assertEquals(1450, c.overlay().podMtu());
    }

    // --- errors: file:line:col + field path ---

    @Test
    void nodeAddressesAndPodCidrsAreRefusedWithTheApiSource() {
        String yaml = KUBE.replace("  - name: node-b\n", """
                  - name: node-b
                    addresses: [192.168.100.12]  # <-
                """);
        assertError(yaml, "nodes[0].addresses", "comes from the node's Node object with source: kubernetes");
        String cidrs = KUBE.replace("  - name: node-b\n", """
                  - name: node-b
                    podCIDRs: [10.244.1.0/24]  # <-
                """);
        assertError(cidrs, "nodes[0].podCIDRs", "comes from the node's Node object");
    }

    @Test
    void servicesAreRefusedWithTheApiSource() {
        String yaml = KUBE + """
                services:
                  - name: web  # <-
                    vips: [10.96.0.10]
                    ports: [{port: 80}]
                """;
        assertError(yaml, "services", "Services come from the API server with source: kubernetes");
    }

    @Test
    void aNetworkPolicySectionIsRefusedWithTheApiSource() {
        String yaml = KUBE + """
                networkPolicy:
                  namespaces: [{name: x}]  # <-
                """;
        assertError(yaml, "networkPolicy", "Namespaces, Pods and NetworkPolicies come from the API server with source: "
                + "kubernetes; remove networkPolicy:");
    }

    @Test
    void theKubernetesBlockNeedsTheKubernetesSource() {
        String yaml = replace("nodes:", "kubernetes: {kubeconfig: /root/.kube/config}  # <-\nnodes:");
        assertError(yaml, "kubernetes", "has no meaning unless source is kubernetes");
    }

    @Test
    void unknownSourceAndKubernetesKeysAreNamed() {
        assertError(replace(KUBE, "source:", "source: api  # <-"), "source", "file, kubernetes");
        assertError(replace(KUBE, "kubeconfig:", "  kubeConfig: /x  # <-"), "kubernetes.kubeConfig",
                "did you mean 'kubeconfig'?");
    }

    @Test
    void thisNodeMustBeAValidNameButNeedNotBeListed() {
        assertError(replace(KUBE, "node: node-a", "node: Node_A  # <-"), "node", "not a valid Kubernetes node name");
        List<io.podswitch.config.ConfigError> missing = errors(replace(KUBE, "node: node-a", ""), Map.of());
        assertTrue(missing.stream().anyMatch(e -> e.path().equals("node") && e.message().contains("NODE_NAME")),
                missing.toString());
    }

    @Test
    void uplinkBlocksAreCheckedAtEveryLevel() {
        assertError(replace(KUBE, "uplink: {interface: ens3", "uplink: {interface: a/b, mtu: 9000}  # <-"),
                "uplink.interface", "not a valid Linux interface name");
        assertError(replace(KUBE, "uplink: {mtu: 1500", "    uplink: {mtu: 1000}  # <-"), "nodes[0].uplink.mtu",
                "1000 is outside 1280..65535 (IPv6 needs an MTU of at least 1280)");
        assertError(replace(KUBE, "uplink: {interface: ens3", "uplink: {mtu: 9000, speed: 10}  # <-"),
                "uplink.speed", "unknown key 'speed'");
    }

    @Test
    void aPodMtuThatDoesNotFitAnOverrideNamesIt() {
        String yaml = replace(KUBE, "  mode: vxlan", "  mode: vxlan\n  podMTU: 8950  # <-");
        assertError(yaml, "overlay.podMTU", "exceeds the uplink MTU 1500 of node-b (nodes[0].uplink.mtu)");
        String onlyDefault = replace(replace(KUBE, "  mode: vxlan", "  mode: vxlan\n  podMTU: 8951  # <-"),
                "uplink: {mtu: 1500", "    uplink: {attach: udp}");
        assertError(onlyDefault, "overlay.podMTU", "exceeds the uplink MTU 9000 of the cluster-wide uplink (uplink.mtu)");
    }

    @Test
    void duplicateOverridesAreRefused() {
        String yaml = KUBE + """
                  - name: node-b  # <-
                    uplink: {mtu: 9000}
                """;
        assertError(yaml, "nodes[1].name", "node name node-b is already used by nodes[0]");
    }
}
