package io.podswitch.perf.sides;

import io.podswitch.config.ConfigException;
import io.podswitch.config.ConfigLoader;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.perf.baseline.CniPluginRunner;
import io.podswitch.perf.bench.side.CrossNodeSide;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.topo.CrossNodePath;
import io.podswitch.perf.topo.CrossNodeUnderlay;
import io.podswitch.perf.topo.Exec;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * {@link CrossNodeSide} with the production daemon: one podswitchd JVM per node (inside the node's
 * namespace, one shared cluster YAML naming every node, its address, pod CIDR and uplink
 * {@code eth0}), and one pod per node wired by executing the CNI plugin as a runtime does. The pod
 * MTU is the config's derived default (uplink MTU − overhead). Before it returns, a ping from node 1's
 * pod to node 2's proves the path; when it fails, the build does not carry traffic between nodes and
 * the side is unavailable (with the reason), not failed. Then it waits until the daemons have gone quiet
 * ({@link StartQuiet}: their start-up warm-up and JIT are over), so the steps measure forwarding.
 */
public final class PodswitchdCrossNodeSide implements CrossNodeSide {

    /** Worker idle strategy: the daemon's default, as shipped ({@link BenchWorkers}). */
    static final String IDLE = BenchWorkers.idle();

    @Override
    public Wiring connect(Topology t, CrossNodeUnderlay u, String mode, String attach) throws Exception {
        Path dir = Files.createTempDirectory("podswitch-bench-cross-" + t.id() + "-");
        List<PodswitchdNodeProcess> daemons = new ArrayList<>();
        Wiring wiring = null;
        try {
            Path config = dir.resolve("cluster.yaml");
            String yaml = config(u, mode, attach);
            try {
                ConfigLoader.parse(yaml, config.toString(), Map.of("NODE_NAME", nodeName(1)));
            } catch (ConfigException e) {
                // e.g. a build whose config does not know uplink.attach yet
                throw new SideUnavailableException("this build's podswitchd does not accept the cluster config ("
                        + mode + (attach == null ? "" : ", attach " + attach) + "): "
                        + e.errors().getFirst().format());
            }
            Files.writeString(config, yaml);
            String classPath = PodswitchdCniSide.absoluteClassPath();
            for (int i = 1; i <= u.nodes().size(); i++) {
                daemons.add(PodswitchdNodeProcess.start(u.nodes().get(i - 1), nodeName(i), config, dir.resolve(nodeName(i)), IDLE));
            }
            Path launcher = PodswitchdCniSide.launcher(dir.resolve("cni-bin"), classPath);
            String[] pods = new String[3];
            for (int i = 1; i <= 2; i++) {
                pods[i] = t.netns("pod" + i);
                CniPluginRunner plugin = new CniPluginRunner(launcher, "{\"cniVersion\":\"1.1.0\",\"name\":\"podswitch-bench\","
                        + "\"type\":\"podswitch-cni\",\"socket\":\"" + daemons.get(i - 1).socket() + "\"}");
                plugin.add("bench-" + pods[i], Path.of("/var/run/netns", pods[i]), "eth0");
            }
            String target = ipv4(pods[2]);
            if (!Topology.ping(pods[1], target) && !Topology.ping(pods[1], target)) {
                throw new SideUnavailableException("podswitchd in this build does not carry pod traffic between nodes ("
                        + mode + (attach == null ? "" : ", " + attach) + "): ping " + pods[1] + " → " + target + " failed");
            }
            // Traffic is measured once the daemons' start-up work (reload warm-up, JIT, GC) is over.
            System.err.println("bench: podswitchd ×" + daemons.size() + " (" + mode + (attach == null ? "" : ", " + attach)
                    + ") " + StartQuiet.await(() -> daemons.stream().mapToLong(PodswitchdNodeProcess::cpuNanos).sum()));
            CrossNodePath path = new CrossNodePath(pods[1], pods[2], target);
            wiring = new Wiring() {
                @Override
                public CrossNodePath path() {
                    return path;
                }

                @Override
                public long cpuNanos() {
                    return daemons.stream().mapToLong(PodswitchdNodeProcess::cpuNanos).sum();
                }

                @Override
                public long cpuNanos(int node) {
                    return daemons.get(node - 1).cpuNanos();
                }

                @Override
                public void close() {
                    stop(daemons, dir);
                }
            };
            return wiring;
        } finally {
            if (wiring == null) {
                stop(daemons, dir);
            }
        }
    }

    static String nodeName(int i) {
        return "node-" + i;
    }

    /** The cluster YAML: IPv4, 10.244.i.0/24 on node i, the underlay's addresses and MTU. */
    static String config(CrossNodeUnderlay u, String mode, String attach) {
        StringBuilder y = new StringBuilder("""
                ipFamilies: [IPv4]
                podCIDRs: [10.244.0.0/16]
                serviceCIDRs: [10.96.0.0/16]
                nodeCIDRs: [192.168.78.0/24]
                """);
        y.append("overlay: {mode: ").append(mode).append("}\n");
        y.append("nodes:\n");
        for (int i = 1; i <= u.nodes().size(); i++) {
            y.append("  - name: ").append(nodeName(i)).append('\n');
            y.append("    addresses: [").append(u.addresses().get(i - 1)).append("]\n");
            y.append("    podCIDRs: [10.244.").append(i).append(".0/24]\n");
            y.append("    uplink: {interface: ").append(CrossNodeUnderlay.UPLINK).append(", mtu: ").append(u.mtu());
            if (attach != null) {
                y.append(", attach: ").append(attach);
            }
            y.append("}\n");
        }
        return y.toString();
    }

    /** The IPv4 address the CNI plugin gave a pod's eth0. */
    static String ipv4(String pod) throws IOException {
        JsonNode local = JsonCodec.tree(Exec.run(List.of("ip", "-n", pod, "-4", "-j", "addr", "show", "dev", "eth0")))
                .path(0).path("addr_info").path(0).path("local");
        if (local.isString()) {
            return local.stringValue();
        }
        throw new IOException("pod " + pod + " has no IPv4 address on eth0");
    }

    private static void stop(List<PodswitchdNodeProcess> daemons, Path dir) {
        daemons.forEach(PodswitchdNodeProcess::close);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
