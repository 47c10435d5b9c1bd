package io.podswitch.daemon.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigLoader;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import java.nio.file.Files;
import io.podswitch.daemon.services.ServiceManager;
import io.podswitch.service.ServiceTable;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload outcomes that need no switch: invalid files, unchanged files, a single-node daemon asked to join. */
class ConfigReloaderTest {
    private static final String ONE_NODE = """
            ipFamilies: [IPv4]
            podCIDRs: [10.244.0.0/16]
            serviceCIDRs: [10.96.0.0/16]
            nodeCIDRs: [192.168.1.0/24]
            node: a
            nodes:
              - {name: a, addresses: [192.168.1.1]}
            """;
    private static final String FROM_API = """
            source: kubernetes
            ipFamilies: [IPv4]
            podCIDRs: [10.244.0.0/16]
            serviceCIDRs: [10.96.0.0/16]
            nodeCIDRs: [192.168.1.0/24]
            node: a
            overlay: {mode: vxlan}
            """;

    @Test
    void invalidFileIsRefusedWithPositionsAndKeepsRunning(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, ONE_NODE);
        ConfigReloader reloader = new ConfigReloader(file, Map.of(), ConfigLoader.load(file, Map.of()), null, services(), null);
        Files.writeString(file, ONE_NODE.replace("10.244.0.0/16", "10.244.0.0/33"));
        ReloadResult result = reloader.reload("test");
        assertFalse(result.applied());
        assertEquals(1, result.errors().size(), result.errors().toString());
        assertTrue(result.errors().getFirst().startsWith(file + ":2:"), result.errors().getFirst());
        assertTrue(result.errors().getFirst().contains("podCIDRs[0]"), result.errors().getFirst());

        Files.writeString(file, ONE_NODE);
        assertEquals(new ReloadResult(true, "unchanged", java.util.List.of()), reloader.reload("test"));
    }

    @Test
    void theBytesLastAppliedAreUnchangedWithoutParsingThemAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, ONE_NODE);
        ConfigReloader reloader = new ConfigReloader(file, Map.of(), ConfigLoader.load(file, Map.of()), null, services(), null);
        String withService = ONE_NODE + """
                services:
                  - name: web
                    vips: [10.96.0.10]
                    ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
                    backends: [{address: 10.244.0.5}]
                """;
        Files.writeString(file, withService);
        assertTrue(reloader.reload("API").applied());
        assertEquals(1, reloader.parses());
        // the file watch's reload after the API's, of the same write: nothing to parse
        assertEquals(new ReloadResult(true, "unchanged", java.util.List.of()), reloader.reload("file watch"));
        assertEquals(1, reloader.parses());

        // refused bytes are not remembered: the same invalid file is parsed (and refused) again
        Files.writeString(file, withService.replace("10.244.0.0/16", "10.244.0.0/33"));
        assertFalse(reloader.reload("API").applied());
        assertFalse(reloader.reload("file watch").applied());
        assertEquals(3, reloader.parses());
        // back to the bytes in force: unchanged without a parse
        Files.writeString(file, withService);
        assertEquals(new ReloadResult(true, "unchanged", java.util.List.of()), reloader.reload("API"));
        assertEquals(3, reloader.parses());
        Files.writeString(file, ONE_NODE);
        assertTrue(reloader.reload("API").summary().contains("services +0 ~0 -"), "a change is applied as before");
        assertEquals(4, reloader.parses());
    }

    @Test
    void withTheKubernetesSourceOnlyTheMasqueradeSettingsChangeLive(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, FROM_API);
        ClusterConfig loaded = ConfigLoader.load(file, Map.of());
        ClusterConfig running = loaded.withNodes(java.util.List.of(new NodeConfig("a",
                java.util.List.of(IpAddress.parse("192.168.1.1")), java.util.List.of(Cidr.parse("10.244.1.0/24")), false,
                loaded.uplinkOf("a")))); // as the daemon runs: this node from its Node object
        ConfigReloader reloader = new ConfigReloader(file, Map.of(), running, null, services(), null);
        ReloadResult unchanged = reloader.reload("test");
        assertTrue(unchanged.applied() && unchanged.summary().startsWith("unchanged"), unchanged.toString());

        Files.writeString(file, FROM_API + "nonMasqueradeCIDRs: [172.16.0.0/12]\n");
        ReloadResult masquerade = reloader.reload("test");
        assertTrue(masquerade.applied() && masquerade.summary().startsWith("masquerade"), masquerade.toString());
        assertEquals("[172.16.0.0/12]", reloader.running().masquerade().nonMasqueradeCidrs().toString());
        assertEquals(running.nodes(), reloader.running().nodes(), "the nodes stay the API server's");

        Files.writeString(file, FROM_API.replace("10.96.0.0/16", "10.97.0.0/16"));
        ReloadResult cidrs = reloader.reload("test");
        assertFalse(cidrs.applied());
        assertTrue(cidrs.summary().contains("needs a restart of podswitchd"), cidrs.summary());
        assertTrue(cidrs.summary().contains("changes serviceCIDRs ([10.96.0.0/16] → [10.97.0.0/16]);"), cidrs.summary());
        assertFalse(cidrs.summary().contains("overlay") || cidrs.summary().contains("uplink"),
                "only what changed is named: " + cidrs.summary());

        Files.writeString(file, FROM_API + "uplink: {mtu: 9000}\nnodes: [{name: gpu-1, uplink: {mtu: 1400}}]\n");
        ReloadResult uplinks = reloader.reload("test");
        assertFalse(uplinks.applied());
        assertTrue(uplinks.summary().contains(", uplink (UplinkConfig") && uplinks.summary().contains(
                "the uplink of node(s) gpu-1 (nodes:)"), uplinks.summary());

        // NetworkPolicy's inputs come from the API server: a networkPolicy: section is an error in the file
        Files.writeString(file, FROM_API + "networkPolicy:\n  namespaces: [{name: x}]\n");
        ReloadResult policy = reloader.reload("test");
        assertFalse(policy.applied());
        assertTrue(policy.errors().getFirst().contains("networkPolicy: Namespaces, Pods and NetworkPolicies come from the "
                + "API server with source: kubernetes"), policy.errors().toString());
    }

    @Test
    void singleNodeDaemonCannotJoinAClusterWithoutARestart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, ONE_NODE);
        ClusterConfig running = ConfigLoader.load(file, Map.of());
        ConfigReloader reloader = new ConfigReloader(file, Map.of(), running, null, services(), null);
        Files.writeString(file, ONE_NODE + "  - {name: b, addresses: [192.168.1.2]}\n");
        ReloadResult result = reloader.reload("test");
        assertFalse(result.applied());
        assertTrue(result.summary().contains("restart podswitchd"), result.summary());
    }

    @Test
    void nodeNameFromTheEnvironmentIsKept(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, ONE_NODE.replace("node: a\n", ""));
        Map<String, String> env = Map.of("NODE_NAME", "a");
        ConfigReloader reloader = new ConfigReloader(file, env, ConfigLoader.load(file, env), null, services(), null);
        assertTrue(reloader.reload("test").applied());
    }

    @Test
    void servicesAreAppliedOnReload(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, ONE_NODE);
        ServiceManager services = services();
        ConfigReloader reloader = new ConfigReloader(file, Map.of(), ConfigLoader.load(file, Map.of()), null, services, null);
        Files.writeString(file, ONE_NODE + """
                services:
                  - name: web
                    vips: [10.96.0.10]
                    ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
                    backends: [{address: 10.244.0.5}]
                """);
        ReloadResult result = reloader.reload("test");
        assertTrue(result.applied(), result.toString());
        assertTrue(result.summary().contains("services +1"), result.summary());
        assertEquals(1, services.views().size());

        Files.writeString(file, ONE_NODE);
        assertTrue(reloader.reload("test").applied());
        assertEquals(0, services.views().size(), "a service removed from the file is gone");
    }

    private static ServiceManager services() {
        return new ServiceManager(new ServiceTable(64, 1), 13);
    }
}
