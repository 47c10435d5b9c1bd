package io.podswitch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.cli.EffectiveConfigWriter;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.config.model.OverlayMode;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.ServiceConfig;
import io.podswitch.config.model.SessionAffinity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shipped examples load, have what their names promise, and survive a show/load round trip. */
class ExamplesTest {
    /** The one example with {@code source: kubernetes} (no nodes in the file). */
    static final String KUBERNETES_EXAMPLE = "kubernetes.yaml";

    @Test
    void theKubernetesExampleLoadsWithItsOverrideAndRoundTrips() throws ConfigException {
        ClusterConfig config = ConfigLoader.load(Path.of("examples", KUBERNETES_EXAMPLE), Map.of("NODE_NAME", "node-a"));
        assertEquals(List.of(), config.nodes());
        assertEquals(9000, config.uplinkOf("gpu-1").mtu());
        assertEquals(1500, config.uplinkOf("node-a").mtu());
        assertEquals(config, ConfigLoader.parse(EffectiveConfigWriter.toYaml(config), "shown.yaml", Map.of()));
    }

    static Stream<Path> exampleFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().equals(KUBERNETES_EXAMPLE)).sorted().toList();
            assertEquals(4, list.size(), "examples/ should hold the four file-source example configs");
            return list.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("exampleFiles")
    void everyExampleFileIsValidWithThreeNodes(Path file) throws ConfigException {
        ClusterConfig config = ConfigLoader.load(file, Map.of());
        assertEquals(3, config.nodes().size());
        assertRoundTrips(config);
    }

    @Test
    void examplesCoverEachFamilyLayout() throws ConfigException {
        assertEquals(List.of(IpFamily.IPV4), ConfigLoader.load(Path.of("examples/ipv4.yaml"), Map.of()).ipFamilies());
        assertEquals(List.of(IpFamily.IPV6), ConfigLoader.load(Path.of("examples/ipv6.yaml"), Map.of()).ipFamilies());
        assertEquals(List.of(IpFamily.IPV4, IpFamily.IPV6),
                ConfigLoader.load(Path.of("examples/dualstack-ipv4-primary.yaml"), Map.of()).ipFamilies());
        ClusterConfig v6First = ConfigLoader.load(Path.of("examples/dualstack-ipv6-primary.yaml"), Map.of());
        assertEquals(IpFamily.IPV6, v6First.primaryFamily());
        assertEquals(IpFamily.IPV6, v6First.thisNode().podCidrs().getFirst().family());
        assertEquals(1400, v6First.overlay().podMtu());
        var policy = ConfigLoader.load(Path.of("examples/dualstack-ipv4-primary.yaml"), Map.of()).networkPolicy();
        assertEquals("shop/db-from-web", policy.policies().getFirst().id().toString());
        assertEquals(2, policy.pods().size());
    }

    @Test
    void embeddedExampleHasDefaultsAndAllocationsFilledIn() throws ConfigException {
        ClusterConfig config = ConfigLoader.loadExample();
        assertTrue(config.isDualStack());
        assertEquals(IpFamily.IPV4, config.primaryFamily());
        NodeConfig a = config.thisNode();
        assertEquals("node-a", a.name());
        assertEquals(List.of(Cidr.parse("10.244.0.0/24"), Cidr.parse("fd00:10:244::/64")), a.podCidrs());
        assertTrue(a.podCidrsAllocated());
        assertEquals(IpAddress.parse("192.168.100.11"), a.address(IpFamily.IPV4).orElseThrow());
        NodeConfig c = config.node("node-c").orElseThrow();
        assertFalse(c.podCidrsAllocated());
        assertEquals(Cidr.parse("10.244.10.0/24"), c.podCidr(IpFamily.IPV4).orElseThrow());
        assertEquals(Cidr.parse("10.244.1.0/24"), config.node("node-b").orElseThrow().podCidr(IpFamily.IPV4).orElseThrow());
        assertEquals(OverlayMode.VXLAN, config.overlay().mode());
        assertEquals(4789, config.overlay().udpPort());
        assertEquals(1450, config.overlay().podMtu());
        assertEquals(50, config.overlay().overheadBytes());
        assertEquals(24, config.nodeCidrMaskSize(IpFamily.IPV4));
        assertEquals(64, config.nodeCidrMaskSize(IpFamily.IPV6));
        ServiceConfig web = config.services().getFirst();
        assertEquals(SessionAffinity.CLIENT_IP, web.sessionAffinity());
        assertEquals(600, web.sessionAffinityTimeoutSeconds());
        assertEquals(Protocol.TCP, web.ports().getFirst().protocol());
        assertEquals(8080, web.backends().getFirst().targetPortFor(web.ports().getFirst()));
        assertEquals(2, web.backends().get(1).weight());
        assertRoundTrips(config);
    }

    @Test
    void defaultsAreFilledInForAMinimalFile() throws ConfigException {
        ClusterConfig config = ConfigLoader.parse("""
                ipFamilies: [IPv4]
                podCIDRs: [10.244.0.0/16]
                serviceCIDRs: [10.96.0.0/16]
                nodeCIDRs: [192.168.100.0/24]
                overlay: {mode: geneve}
                nodes:
                  - {name: n1, addresses: [192.168.100.1]}
                services:
                  - {name: s, vips: [10.96.0.1], ports: [{port: 53, protocol: UDP}], backends: [{address: 10.244.0.9}]}
                """, "min.yaml", Map.of("NODE_NAME", "n1"));
        assertEquals("n1", config.thisNodeName());
        assertEquals(6081, config.overlay().udpPort());
        assertEquals(1, config.overlay().vni());
        assertEquals(1450, config.overlay().podMtu());
        assertEquals("eth0", config.thisNode().uplink().interfaceName());
        assertEquals(1500, config.thisNode().uplink().mtu());
        ServiceConfig s = config.services().getFirst();
        assertEquals(53, s.ports().getFirst().targetPort());
        assertEquals(0, s.ports().getFirst().nodePort());
        assertEquals(SessionAffinity.NONE, s.sessionAffinity());
        assertTrue(s.backends().getFirst().ready());
        assertFalse(s.backends().getFirst().terminating());
        assertEquals(1, s.backends().getFirst().weight());
    }

    @Test
    void nodeNameFromTheEnvironmentOverridesTheFile() throws ConfigException {
        ClusterConfig config = ConfigLoader.load(Path.of("examples/ipv4.yaml"), Map.of("NODE_NAME", "node-c"));
        assertEquals("node-c", config.thisNode().name());
    }

    @Test
    void theModelIsImmutable() throws ConfigException {
        ClusterConfig config = ConfigLoader.loadExample();
        assertThrows(UnsupportedOperationException.class, () -> config.nodes().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.thisNode().podCidrs().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.nodeCidrMaskSizes().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.services().getFirst().backends().clear());
    }

    @Test
    void unreadableFilesAreReportedAsErrors(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        ConfigException missing = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of()));
        assertEquals(dir.resolve("nope.yaml") + ": no such file", missing.errors().getFirst().format());
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'n', 'o', 'd', 'e', ':', ' ', (byte) 0xe9, '\n'});
        ConfigException notUtf8 = assertThrows(ConfigException.class, () -> ConfigLoader.load(latin1, Map.of()));
        assertEquals("the file is not UTF-8 text", notUtf8.errors().getFirst().message());
    }

    /** show's output loads back to the same configuration (allocations become explicit). */
    private static void assertRoundTrips(ClusterConfig config) throws ConfigException {
        ClusterConfig again = ConfigLoader.parse(EffectiveConfigWriter.toYaml(config), "shown.yaml", Map.of());
        assertEquals(config.ipFamilies(), again.ipFamilies());
        assertEquals(config.podCidrs(), again.podCidrs());
        assertEquals(config.serviceCidrs(), again.serviceCidrs());
        assertEquals(config.nodeCidrs(), again.nodeCidrs());
        assertEquals(config.nodeCidrMaskSizes(), again.nodeCidrMaskSizes());
        assertEquals(config.thisNodeName(), again.thisNodeName());
        assertEquals(config.overlay(), again.overlay());
        assertEquals(config.services(), again.services());
        assertEquals(config.masquerade(), again.masquerade());
        for (int i = 0; i < config.nodes().size(); i++) {
            NodeConfig n = config.nodes().get(i);
            NodeConfig m = again.nodes().get(i);
            assertEquals(List.of(n.name(), n.addresses(), n.podCidrs(), n.uplink()), List.of(m.name(), m.addresses(), m.podCidrs(), m.uplink()));
        }
    }
}
