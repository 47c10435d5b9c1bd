package io.podswitch.perf.sides;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.perf.baseline.CniPluginRunner;
import io.podswitch.perf.bench.side.PolicyNode;
import io.podswitch.perf.bench.side.PolicyRuleSet;
import io.podswitch.perf.bench.side.PolicySide;
import io.podswitch.perf.kubernetes.ApiTopology;
import io.podswitch.perf.kubernetes.ScaleCluster;
import io.podswitch.perf.topo.Topology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * podswitch enforcing the policy scenario's NetworkPolicy with {@code source: kubernetes}, the real-cluster path:
 * podswitchd (one node, {@link ApiTopology}) watches the bench's test API server, which holds the namespace, the
 * client and server Pods (labels) and the NetworkPolicy; the pods are wired by the CNI plugin as a runtime wires
 * them. A change is the NetworkPolicy replaced on the API server (one PUT, as {@code kubectl apply} sends); the
 * daemon's informer receives it through its watch and the reconciler compiles and publishes — nothing is parsed
 * from a file. {@link PolicyNode#program} waits until {@code GET /v1/policy} shows the change; a timed update
 * returns once the API server accepted it.
 */
public final class PodswitchdKubernetesPolicySide implements PolicySide {
    public static final String SUBJECT = "podswitch-kubernetes";
    private static final String NAMESPACE = "bench";
    private static final String POLICY = "server-ingress";
    private static final Duration SYNC_LIMIT = Duration.ofSeconds(60);

    @Override
    public String subject() {
        return SUBJECT;
    }

    @Override
    public PolicyNode build(Topology t, List<Integer> cores) throws Exception {
        String client = t.netns("client");
        String server = t.netns("server");
        ApiTopology api = ApiTopology.start();
        PodswitchdKubernetesProcess daemon = null;
        try {
            KubernetesClient k = api.client();
            ScaleCluster.createSelf(k);
            k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
                    .create();
            for (String pod : List.of("client", "server")) {
                k.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withNamespace(NAMESPACE)
                        .withName(pod).addToLabels("app", pod).endMetadata().withNewSpec().withNodeName(ScaleCluster.SELF)
                        .addNewContainer().withName("c").withImage("bench").endContainer().endSpec().build()).create();
            }
            Path dir = api.dir().resolve("daemon");
            daemon = PodswitchdKubernetesProcess.start(api.node(), ScaleCluster.SELF,
                    ScaleCluster.configYaml(api.kubeconfig().toString()), dir);
            daemon.awaitKubernetesStatus(s -> s.optionalBoolean("synced", false), SYNC_LIMIT);
            Path socket = dir.resolve("run").resolve("podswitchd.sock");
            CniPluginRunner plugin = new CniPluginRunner(
                    PodswitchdCniSide.launcher(dir.resolve("cni-bin"), PodswitchdCniSide.absoluteClassPath()),
                    "{\"cniVersion\":\"1.1.0\",\"name\":\"podswitch-bench\",\"type\":\"podswitch-cni\",\"socket\":\""
                            + socket + "\"}");
            String clientIp = add(plugin, client, "client");
            String serverIp = add(plugin, server, "server");
            if (!Topology.ping(client, serverIp) && !Topology.ping(client, serverIp)) {
                throw new IOException("podswitch (kubernetes) policy node: the server is not reachable from the client: "
                        + daemon.log());
            }
            return new Node(api, daemon, socket, client, clientIp, server, serverIp);
        } catch (Exception | Error e) {
            if (daemon != null) {
                daemon.close();
            }
            api.close();
            throw e;
        }
    }

    private static String add(CniPluginRunner plugin, String ns, String name) throws IOException {
        return PodswitchdServiceSide.ipv4(plugin.addWithResult(ns, Path.of("/var/run/netns", ns), "eth0",
                "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + NAMESPACE + ";K8S_POD_NAME=" + name), ns);
    }

    /** The scenario's policy as the API object: the same rules as the file side's section. */
    static NetworkPolicy policy(PolicyRuleSet rules) {
        List<NetworkPolicyPort> ports = List.of(port(PolicyRuleSet.PORT), port(PolicyRuleSet.IPERF_PORT));
        List<NetworkPolicyIngressRule> ingress = new ArrayList<>(rules.rules() + 1);
        for (int i = 0; i < rules.rules(); i++) {
            ingress.add(new NetworkPolicyIngressRuleBuilder().addNewFrom().withNewIpBlock()
                    .withCidr(PolicyRuleSet.blockedSource(i) + "/32").endIpBlock().endFrom().withPorts(ports).build());
        }
        if (rules.clientAllowed()) {
            ingress.add(new NetworkPolicyIngressRuleBuilder().addNewFrom().withNewPodSelector()
                    .addToMatchLabels("app", "client").endPodSelector().endFrom().withPorts(ports).build());
        }
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace(NAMESPACE).withName(POLICY).endMetadata()
                .withNewSpec().withNewPodSelector().addToMatchLabels("app", "server").endPodSelector()
                .withPolicyTypes("Ingress").withIngress(ingress).endSpec().build();
    }

    private static NetworkPolicyPort port(int port) {
        return new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(port)).build();
    }

    private static final class Node implements PolicyNode {
        private final ApiTopology api;
        private final PodswitchdKubernetesProcess daemon;
        private final Path socket;
        private final String client;
        private final String clientIp;
        private final String server;
        private final String serverIp;

        Node(ApiTopology api, PodswitchdKubernetesProcess daemon, Path socket, String client, String clientIp,
             String server, String serverIp) {
            this.api = api;
            this.daemon = daemon;
            this.socket = socket;
            this.client = client;
            this.clientIp = clientIp;
            this.server = server;
            this.serverIp = serverIp;
        }

        /** Untimed: the change sent, then {@code GET /v1/policy} polled until the daemon holds it. */
        @Override
        public Change prepare(PolicyRuleSet rules) {
            Change send = prepareUpdate(rules);
            int expected = rules.none() ? -1 : rules.rules() + (rules.clientAllowed() ? 1 : 0);
            return () -> {
                send.apply();
                long deadline = System.nanoTime() + SYNC_LIMIT.toNanos();
                while (ingressRules() != expected) {
                    if (System.nanoTime() > deadline || !daemon.alive()) {
                        throw new IOException("podswitchd did not take the policy of " + expected + " rules within "
                                + SYNC_LIMIT.toSeconds() + " s: " + daemon.log());
                    }
                    Thread.sleep(5);
                }
            };
        }

        /**
         * Timed: the policy replaced (or deleted) on the API server — one request, as {@code kubectl apply} sends once
         * it knows the object; returns when the API server answered. Whether it exists and its resourceVersion are
         * asked before (untimed): without the version the client would GET the whole object inside the window.
         */
        @Override
        public Change prepareUpdate(PolicyRuleSet rules) {
            KubernetesClient k = api.client();
            if (rules.none()) {
                return () -> k.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(POLICY).delete();
            }
            NetworkPolicy next = policy(rules);
            NetworkPolicy current = k.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(POLICY).get();
            if (current == null) {
                return () -> k.network().v1().networkPolicies().resource(next).create();
            }
            next.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
            return () -> k.network().v1().networkPolicies().resource(next).update();
        }

        /** The ingress rules of the daemon's bench/server-ingress, or -1 when it has none by that name. */
        private int ingressRules() throws Exception {
            for (JsonNode p : request("/v1/policy").path("policies")) {
                if ((NAMESPACE + "/" + POLICY).equals(p.path("name").asString())) {
                    return p.path("ingress").size();
                }
            }
            return -1;
        }

        private JsonNode request(String path) throws Exception {
            long timeout = TimeUnit.SECONDS.toNanos(30);
            HttpResponse r = new UnixHttpClient(socket, timeout, HttpLimits.DEFAULT)
                    .exchange(new HttpRequest("GET", path, Map.of(), null), System.nanoTime() + timeout);
            if (r.status() != 200) {
                throw new IOException("GET " + path + ": " + r.status() + " " + r.bodyText());
            }
            return JsonCodec.tree(r.body());
        }

        @Override
        public String lastProgramNote() {
            try {
                JsonNode tables = request("/v1/policy").path("tables");
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
            return "podswitchd (source: kubernetes) in " + api.node() + "; a change is the NetworkPolicy replaced on the "
                    + "bench's test API server (one PUT), delivered by the daemon's watch";
        }

        @Override
        public void close() {
            daemon.close();
            api.close();
        }
    }
}
