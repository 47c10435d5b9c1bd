package io.podswitch.perf.sides;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cli.NetworkPolicyWriter;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.NetworkPolicyConfig;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.perf.baseline.CniPluginRunner;
import io.podswitch.perf.bench.side.PolicyNode;
import io.podswitch.perf.bench.side.PolicyRuleSet;
import io.podswitch.perf.bench.side.PolicySide;
import io.podswitch.perf.bench.side.ServiceSpec;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * podswitch enforcing the policy scenario's NetworkPolicy: podswitchd (one worker) in the node's namespace,
 * the client and server pods wired by the CNI plugin as a runtime wires them, naming them in CNI_ARGS
 * ({@code K8S_POD_NAMESPACE=bench}, {@code K8S_POD_NAME=client|server}); the policy is the cluster file's
 * {@code networkPolicy:} section (the pods listed by name only: podswitchd knows their addresses from their
 * ADD). The file is a ConfigMap volume's ({@link ConfigMapVolume}); a timed update changes it as the kubelet
 * does and the daemon's file watch applies it — the DaemonSet's path. {@code -Dpodswitch.bench.policy-update=reload}
 * adds {@code POST /v1/reload} after the swap (what {@code podswitch reload} does after an edit) and times until
 * it answered. Untimed programming always waits for that answer: the new tables are in force.
 */
public final class PodswitchdPolicySide implements PolicySide {
    /** How a timed update reaches the daemon: {@code configmap} (the file watch) or {@code reload} (the API). */
    static final String UPDATE = System.getProperty("podswitch.bench.policy-update", "configmap");

    @Override
    public PolicyNode build(Topology t, List<Integer> cores) throws Exception {
        if (!UPDATE.equals("configmap") && !UPDATE.equals("reload")) {
            throw new IllegalArgumentException("-Dpodswitch.bench.policy-update=" + UPDATE + ": configmap or reload");
        }
        String node = t.netns("node");
        String client = t.netns("client");
        String server = t.netns("server");
        String classPath = PodswitchdCniSide.absoluteClassPath();
        PodswitchdProcess daemon = PodswitchdProcess.start(classPath, config(new PolicyRuleSet(0, true)), node,
                List.of("--host-port", "psh" + t.id(), "--max-pods", "16", "--workers", "1"));
        try {
            CniPluginRunner plugin = new CniPluginRunner(
                    PodswitchdCniSide.launcher(daemon.directory().resolve("cni-bin"), classPath),
                    "{\"cniVersion\":\"1.1.0\",\"name\":\"podswitch-bench\",\"type\":\"podswitch-cni\",\"socket\":\""
                            + daemon.socket() + "\"}");
            String clientIp = add(plugin, client, "client");
            String serverIp = add(plugin, server, "server");
            if (!Topology.ping(client, serverIp) && !Topology.ping(client, serverIp)) {
                throw new IOException("podswitch policy node: the server is not reachable from the client: " + daemon.log());
            }
            return new Node(daemon, client, clientIp, server, serverIp, node);
        } catch (Exception e) {
            daemon.close();
            throw e;
        }
    }

    private static String add(CniPluginRunner plugin, String ns, String name) throws IOException {
        return PodswitchdServiceSide.ipv4(plugin.addWithResult(ns, Path.of("/var/run/netns", ns), "eth0",
                "IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=" + name), ns);
    }

    /** The single-node cluster of {@link PodswitchdServiceSide} with the scenario's policy section. */
    static String config(PolicyRuleSet rules) {
        return PodswitchdServiceSide.config(List.<ServiceSpec>of(), List.of()) + NetworkPolicyWriter.yaml(section(rules));
    }

    /** The scenario's policy as the file section: pods by name and label, one policy on the server. */
    static NetworkPolicyConfig section(PolicyRuleSet rules) {
        List<PodInfo> pods = List.of(
                new PodInfo(new NamespacedName("bench", "client"), Map.of("app", "client"), List.of(), "", false, List.of()),
                new PodInfo(new NamespacedName("bench", "server"), Map.of("app", "server"), List.of(), "", false, List.of()));
        if (rules.none()) {
            return new NetworkPolicyConfig(List.of(NamespaceInfo.of("bench", Map.of())), pods, List.of());
        }
        List<PolicyPort> ports = List.of(PolicyPort.number(Protocol.TCP, PolicyRuleSet.PORT),
                PolicyPort.number(Protocol.TCP, PolicyRuleSet.IPERF_PORT));
        List<PolicyRule> ingress = new ArrayList<>(rules.rules() + 1);
        for (int i = 0; i < rules.rules(); i++) {
            ingress.add(new PolicyRule(List.of(new PolicyPeer.IpBlock(Cidr.parse(PolicyRuleSet.blockedSource(i) + "/32"),
                    List.of())), ports));
        }
        if (rules.clientAllowed()) {
            ingress.add(new PolicyRule(List.of(new PolicyPeer.Pods(null, LabelSelector.of(Map.of("app", "client")))), ports));
        }
        NetworkPolicy policy = NetworkPolicy.of(new NamespacedName("bench", "server-ingress"),
                LabelSelector.of(Map.of("app", "server")), true, true, false, ingress, List.of());
        return new NetworkPolicyConfig(List.of(NamespaceInfo.of("bench", Map.of())), pods, List.of(policy));
    }

    private static final class Node implements PolicyNode {
        private final PodswitchdProcess daemon;
        private final String client;
        private final String clientIp;
        private final String server;
        private final String serverIp;
        private final String nodeNs;

        Node(PodswitchdProcess daemon, String client, String clientIp, String server, String serverIp, String nodeNs) {
            this.daemon = daemon;
            this.client = client;
            this.clientIp = clientIp;
            this.server = server;
            this.serverIp = serverIp;
            this.nodeNs = nodeNs;
        }

        @Override
        public Change prepare(PolicyRuleSet rules) {
            String yaml = config(rules);
            return () -> daemon.reloadWith(yaml);
        }

        /** A timed update: the ConfigMap swapped (the file watch reloads), or swapped and reloaded through the API. */
        @Override
        public Change prepareUpdate(PolicyRuleSet rules) {
            String yaml = config(rules);
            return UPDATE.equals("reload") ? () -> daemon.reloadWith(yaml) : () -> daemon.updateConfigMap(yaml);
        }

        /** The last compilation as {@code GET /v1/policy} tells it (asked here, outside any timed change). */
        @Override
        public String lastProgramNote() {
            try {
                JsonNode tables = JsonCodec.tree(daemon.request("GET", "/v1/policy", null).body()).path("tables");
                return tables.isObject() ? "compiled in " + tables.get("compileMicros") + " µs (" + tables.get("peerClasses")
                        + " peer classes, " + tables.get("portSets") + " port sets)" : "";
            } catch (Exception e) {
                return "";
            }
        }

        @Override
        public String clientNs() {
            return client;
        }

        @Override
        public String clientIp() {
            return clientIp;
        }

        @Override
        public String serverNs() {
            return server;
        }

        @Override
        public String serverIp() {
            return serverIp;
        }

        @Override
        public String implementation() {
            return "podswitchd (1 worker) in " + nodeNs + "; timed updates: " + (UPDATE.equals("reload")
                    ? "ConfigMap swap + POST /v1/reload (answered)" : "ConfigMap swap, the daemon's file watch reloads");
        }

        @Override
        public void close() {
            daemon.close();
        }
    }
}
