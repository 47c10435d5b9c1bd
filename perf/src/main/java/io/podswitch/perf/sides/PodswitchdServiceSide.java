package io.podswitch.perf.sides;

import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.perf.baseline.CniPluginRunner;
import io.podswitch.perf.bench.side.ServiceNode;
import io.podswitch.perf.bench.side.ServiceSide;
import io.podswitch.perf.bench.side.ServiceSpec;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * podswitch as the node's service load balancer: podswitchd runs as a child JVM inside the node's
 * own namespace ({@code ip netns exec NODE java ... Podswitchd}; its host TAP stays there), the pods
 * are wired by the CNI plugin executed as a runtime executes it, and the services are the
 * {@code services:} of its cluster.yaml. Pod addresses come from the daemon's IPAM, so the services
 * (whose backends are pod addresses) are written once the pods exist, and the daemon is restarted
 * on the same state directory: it recovers its allocations, re-attaches the pods' persistent TAPs
 * and loads the services.
 * <pre>
 *   node ns: podswitchd (1 worker), host TAP psh&lt;id&gt;; pods 10.244.0.0/24 (gateway .1); services 10.96.0.0/16
 *   client, b0, b1, b2: eth0 (TAP from podswitchd), default via 10.244.0.1
 * </pre>
 */
public final class PodswitchdServiceSide implements ServiceSide {

    static final String POD_CIDR = "10.244.0.0/24";

    @Override
    public ServiceNode build(Topology t, int backends, List<ServiceSpec> services, List<Integer> cores) throws Exception {
        String node = t.netns("node");
        String client = t.netns("client");
        List<String> backendNs = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            backendNs.add(t.netns("b" + i));
        }
        String classPath = PodswitchdCniSide.absoluteClassPath();
        List<String> args = new ArrayList<>(List.of("--host-port", "psh" + t.id(), "--max-pods", "16", "--workers", "1"));
        args.addAll(BenchWorkers.daemonArgs());
        PodswitchdProcess daemon = PodswitchdProcess.start(classPath, config(List.of(), List.of()), node, args);
        try {
            CniPluginRunner plugin = new CniPluginRunner(
                    PodswitchdCniSide.launcher(daemon.directory().resolve("cni-bin"), classPath),
                    "{\"cniVersion\":\"1.1.0\",\"name\":\"podswitch-bench\",\"type\":\"podswitch-cni\",\"socket\":\""
                            + daemon.socket() + "\"}");
            String clientIp = add(plugin, client);
            List<String> backendIps = new ArrayList<>();
            for (String ns : backendNs) {
                backendIps.add(add(plugin, ns));
            }
            daemon.restartWith(config(services, backendIps));
            for (String ip : backendIps) {
                if (!Topology.ping(client, ip) && !Topology.ping(client, ip)) {
                    throw new IOException("podswitch service node: " + ip + " not reachable from the client pod after the restart: "
                            + daemon.log());
                }
            }
            return new ServiceNode(client, clientIp, backendNs, backendIps, "podswitchd (1 worker, "
                    + String.join(" ", BenchWorkers.daemonArgs()) + ") in " + node, daemon, daemon::cpuNanos);
        } catch (Exception e) {
            daemon.close();
            throw e;
        }
    }

    /** CNI ADD for the pod in {@code ns}; returns its IPv4 address. */
    private static String add(CniPluginRunner plugin, String ns) throws IOException {
        return ipv4(plugin.addWithResult(ns, Path.of("/var/run/netns", ns), "eth0"), ns);
    }

    /** The first IPv4 address of a CNI ADD result (without its prefix length). */
    static String ipv4(String result, String ns) throws IOException {
        for (JsonNode ip : JsonCodec.tree(result).path("ips")) {
            String a = ip.path("address").asString("");
            if (a.contains("/") && !a.contains(":")) {
                return a.substring(0, a.indexOf('/'));
            }
        }
        throw new IOException("CNI ADD for " + ns + " returned no IPv4 address: " + result);
    }

    /** A single-node IPv4 cluster with the node's pods in {@value #POD_CIDR} and the given services. */
    static String config(List<ServiceSpec> services, List<String> backendIps) {
        StringBuilder b = new StringBuilder()
                .append("ipFamilies: [IPv4]\n")
                .append("podCIDRs: [10.244.0.0/16]\n")
                .append("serviceCIDRs: [10.96.0.0/16]\n")
                .append("nodeCIDRs: [192.168.100.0/24]\n")
                .append("node: n1\n")
                .append("overlay: {mode: direct, podMTU: 1500}\n")
                .append("nodes:\n")
                .append("  - name: n1\n")
                .append("    addresses: [192.168.100.11]\n")
                .append("    podCIDRs: [").append(POD_CIDR).append("]\n")
                .append("    uplink: {interface: lo, mtu: 1500}\n");
        if (!services.isEmpty()) {
            b.append("services:\n");
            for (ServiceSpec s : services) {
                b.append("  - name: ").append(s.name()).append('\n')
                        .append("    vips: [").append(s.clusterIp()).append("]\n")
                        .append("    ports:\n")
                        .append("      - {name: ").append(s.portName()).append(", protocol: TCP, port: ").append(s.port())
                        .append(", targetPort: ").append(s.targetPort()).append("}\n");
                if (s.backends().isEmpty()) {
                    b.append("    backends: []\n");
                } else {
                    b.append("    backends:\n");
                    for (int i : s.backends()) {
                        b.append("      - {address: ").append(backendIps.get(i)).append("}\n");
                    }
                }
            }
        }
        return b.toString();
    }
}
