package io.podswitch.daemon.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigException;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.policy.NetworkPolicyConfig;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.daemon.policy.PolicyCompiler;
import io.podswitch.policy.CompiledPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reload warm-up: what it runs is the reload's work, it keeps nothing, and it stops when told. */
class ReloadWarmupTest {
    private static final String ONE_NODE = """
            ipFamilies: [IPv4]
            podCIDRs: [10.244.0.0/16]
            serviceCIDRs: [10.96.0.0/16]
            nodeCIDRs: [192.168.1.0/24]
            node: a
            nodes:
              - {name: a, addresses: [192.168.1.1], podCIDRs: [10.244.0.0/24]}
            """;
    private static final PolicyCompiler.Node NODE = new PolicyCompiler.Node(List.of(Cidr.parse("10.244.0.0/24")),
            List.of());

    @Test
    void eachRoundLoadsTheRunningFileAsTheDaemonDid(@TempDir Path dir) throws Exception {
        Path file = write(dir, ONE_NODE);
        ReloadWarmup warmup = new ReloadWarmup(file, Map.of(), ConfigLoader.load(file, Map.of()), NODE);
        ReloadWarmup.Done done = warmup.run(ConfigLoader.read(file), 3, 60_000);
        assertEquals(3, done.rounds());
        assertEquals(3, warmup.sameAsRunning);
    }

    @Test
    void aFileChangedSinceTheStartStillWarmsAndChangesNothing(@TempDir Path dir) throws Exception {
        Path file = write(dir, ONE_NODE);
        ClusterConfig running = ConfigLoader.load(file, Map.of());
        ReloadWarmup warmup = new ReloadWarmup(file, Map.of(), running, NODE);
        byte[] changed = ONE_NODE.replace("192.168.1.1", "192.168.1.2").getBytes();
        assertEquals(2, warmup.run(changed, 2, 60_000).rounds());
        assertEquals(0, warmup.sameAsRunning);
    }

    @Test
    void anInvalidFileEndsTheWarmupWithTheLoadersError(@TempDir Path dir) throws Exception {
        Path file = write(dir, ONE_NODE);
        ReloadWarmup warmup = new ReloadWarmup(file, Map.of(), ConfigLoader.load(file, Map.of()), NODE);
        ConfigException e = assertThrows(ConfigException.class,
                () -> warmup.run(ONE_NODE.replace("/16", "/33").getBytes(), 5, 60_000));
        assertTrue(e.errors().getFirst().format().startsWith(file + ":2:"), e.errors().toString());
    }

    @Test
    void closeAndTheBudgetStopIt(@TempDir Path dir) throws Exception {
        Path file = write(dir, ONE_NODE);
        ReloadWarmup warmup = new ReloadWarmup(file, Map.of(), ConfigLoader.load(file, Map.of()), NODE);
        assertEquals(1, warmup.run(ConfigLoader.read(file), 1_000, 0).rounds(), "the round that passes the budget ends it");
        ReloadWarmup.Done capped = warmup.run(ConfigLoader.read(file), 1_000, 60_000, 0);
        assertEquals(1, capped.rounds(), "the round that passes the wall-time cap ends it");
        assertTrue(capped.cpuNanos() > 0 && capped.cpuNanos() <= capped.nanos() + 1_000_000, capped.toString());
        warmup.close();
        assertEquals(0, warmup.run(ConfigLoader.read(file), 1_000, 60_000).rounds());
    }

    @Test
    void noPolicyManagerCompilesNothing(@TempDir Path dir) throws Exception {
        Path file = write(dir, ONE_NODE);
        ReloadWarmup warmup = new ReloadWarmup(file, Map.of(), ConfigLoader.load(file, Map.of()), null);
        assertEquals(2, warmup.run(ConfigLoader.read(file), 2, 60_000).rounds());
    }

    /**
     * The sample exercises what a first policy would meet: every peer kind and a cluster file's section that loads
     * back to itself (each round checks that too), and it compiles to tables for local pods.
     */
    @Test
    void theSampleCoversEveryPeerKindAndCompilesToLocalTables() {
        NetworkPolicyConfig sample = ReloadWarmup.sampleSection();
        List<PolicyPeer> peers = sample.policies().stream()
                .flatMap(p -> java.util.stream.Stream.concat(p.ingressRules().stream(), p.egressRules().stream()))
                .flatMap(r -> r.peers().stream()).toList();
        assertTrue(peers.stream().anyMatch(p -> p instanceof PolicyPeer.IpBlock b && !b.except().isEmpty()));
        assertTrue(peers.stream().anyMatch(p -> p instanceof PolicyPeer.Pods pods && pods.namespaceSelector() == null));
        assertTrue(peers.stream().anyMatch(p -> p instanceof PolicyPeer.Pods pods && pods.podSelector() == null));
        assertTrue(peers.stream().anyMatch(p -> p instanceof PolicyPeer.Pods pods && pods.podSelector() != null
                && pods.namespaceSelector() != null));
        Map<io.podswitch.config.model.policy.NamespacedName, Integer> ids = new HashMap<>();
        sample.policies().forEach(p -> ids.put(p.id(), ids.size() + 1));
        CompiledPolicy alone = PolicyCompiler.compile(1, sample.namespaces(), sample.pods(), sample.policies(), NODE, ids);
        assertEquals(0, alone.tables(), "the file's pods have no addresses: none is local");
        ReloadWarmup warmup = new ReloadWarmup(Path.of("unused.yaml"), Map.of(), null, NODE);
        CompiledPolicy local = PolicyCompiler.compile(1, sample.namespaces(), warmup.withLocalAddresses(sample.pods()),
                sample.policies(), NODE, ids);
        assertTrue(local.tables() > 0, "the warm-up's pods are local: " + local.tables() + " tables");
    }

    private static Path write(Path dir, String text) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, text);
        return file;
    }
}
