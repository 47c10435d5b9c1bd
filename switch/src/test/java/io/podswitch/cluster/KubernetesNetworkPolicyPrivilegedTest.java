package io.podswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import io.podswitch.daemon.kubernetes.policy.ApiPolicyObjects;
import io.podswitch.daemon.policy.NetpolCase.Step;
import io.podswitch.daemon.policy.NetpolWorld;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 13 with {@code source: kubernetes}: the upstream NetworkPolicy e2e world on two nodes (dual-stack, VXLAN)
 * whose podswitchd both watch one test API server, the cluster file holding nothing of NetworkPolicy. The nine
 * pods exist as Pod objects (labels, nodeName, named container ports) before their CNI ADD — as the kubelet
 * creates them — and get their addresses in {@code status.podIPs} after it; each step of the truth tables
 * ({@link NetpolTruthTables}, shared with the file-driven {@code NetworkPolicyClusterPrivilegedTest}) is written
 * to the API server as Namespaces, Pods and NetworkPolicies (created, updated, deleted), and is in force on a node
 * once that node's policy engine holds the step's markers (below). A representative subset of the cases runs in
 * the suite (pod/namespace selectors, named ports from the Pod spec, a pod and a namespace relabelled, a policy
 * deleted, ipBlock), all with {@code -Dpodswitch.netpol.cases=all}.
 *
 * <p>Markers: events of one resource type arrive in order, those of different types do not. After a step's
 * writes, one marker of each type is written last — namespace {@code zz-marker} labelled {@code step=N}, pod
 * {@code zz-marker/p} labelled {@code step=N}, NetworkPolicy {@code zz-marker/marker} isolating every zz-marker
 * pod and allowing ingress only from {@code step=N} pods in {@code step=N} namespaces on TCP port 1000+N. A node's
 * answer to "may zz-marker/p reach itself on 1000+N" ({@code GET /v1/policy/check}: its policy engine's current
 * state) is "allowed" exactly when it holds all three markers of step N, and so every write of the step.
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesNetworkPolicyPrivilegedTest {
    static final List<String> SUITE_CASES = List.of("default-deny-all", "podselector-and-namespaceselector",
            "ingress-from-namespace-on-one-named-port", "egress-on-one-named-port", "ingress-from-updated-pod",
            "ingress-from-updated-namespace", "stop-enforcing-after-deletion", "ip-in-both-cidr-and-except");
    private static final String MARKER_NS = "zz-marker";
    private static final long STEP_TIMEOUT_NS = 30_000_000_000L;

    private NetpolCluster cluster;
    private ClusterHarness h;
    private KubernetesClient api;
    private NetpolWorld world;
    private final Map<String, String> nodeOf = new HashMap<>();
    /** What the API server holds, as last written (only changes are written). */
    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    private final Map<String, Map<String, String>> podLabels = new HashMap<>();
    private final Map<NamespacedName, NetworkPolicy> policies = new HashMap<>();
    private int step;

    @BeforeAll
    void startCluster() throws Exception {
        h = ClusterHarness.startWithApi(ClusterLayout.of("IPv4,IPv6", "vxlan", null, 2));
        try {
            api = h.api().client();
            for (String ns : NetpolWorld.NAMESPACES) {
                putNamespace(ns, NetpolWorld.defaultNamespaceLabels(ns));
            }
            int i = 0;
            for (String pod : NetpolWorld.allPods()) {
                nodeOf.put(pod, h.node(NetpolCluster.nodeOf(i)).name());
                putPod(pod, NetpolWorld.defaultPodLabels(pod), List.of()); // scheduled, no address yet
                i++;
            }
        } catch (Exception | Error e) {
            h.close();
            throw e;
        }
        cluster = NetpolCluster.wire(h);
        world = cluster.world;
        for (String pod : NetpolWorld.allPods()) {
            write(ApiPolicyObjects.pod(namespaceOf(pod), nameOf(pod), podLabels.get(pod), nodeOf.get(pod),
                    world.addresses(pod))); // the kubelet reports the pod's IPs
        }
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String namespaceOf(String pod) {
        return NetpolCluster.namespaceOf(pod);
    }

    private static String nameOf(String pod) {
        return NetpolCluster.nameOf(pod);
    }

    /** Creates or replaces an object (an unconditional PUT when it exists, as {@code kubectl replace}). */
    private void write(HasMetadata object) {
        api.resource(object).createOr(NonDeletingOperation::update);
    }

    private void putNamespace(String ns, Map<String, String> labels) {
        if (!labels.equals(namespaceLabels.get(ns))) {
            write(ApiPolicyObjects.namespace(ns, labels));
            namespaceLabels.put(ns, labels);
        }
    }

    private void putPod(String pod, Map<String, String> labels, List<IpAddress> ips) {
        if (!labels.equals(podLabels.get(pod))) {
            write(ApiPolicyObjects.pod(namespaceOf(pod), nameOf(pod), labels, nodeOf.get(pod), ips));
            podLabels.put(pod, labels);
        }
    }

    /** Writes what changed for the step, then the markers, and waits until both nodes hold them. */
    private void apply(Step s) throws Exception {
        for (String ns : NetpolWorld.NAMESPACES) {
            putNamespace(ns, s.namespaceLabels().getOrDefault(ns, NetpolWorld.defaultNamespaceLabels(ns)));
        }
        for (String pod : NetpolWorld.allPods()) {
            putPod(pod, s.podLabels().getOrDefault(pod, NetpolWorld.defaultPodLabels(pod)), world.addresses(pod));
        }
        Set<NamespacedName> wanted = new HashSet<>();
        for (NetworkPolicy p : s.policies()) {
            wanted.add(p.id());
            if (!p.equals(policies.get(p.id()))) {
                write(ApiPolicyObjects.policy(p));
                policies.put(p.id(), p);
            }
        }
        for (NamespacedName id : new ArrayList<>(policies.keySet())) {
            if (!wanted.contains(id)) {
                api.network().v1().networkPolicies().inNamespace(id.namespace()).withName(id.name()).delete();
                policies.remove(id);
            }
        }
        String n = Integer.toString(++step);
        write(ApiPolicyObjects.namespace(MARKER_NS, Map.of("step", n)));
        write(ApiPolicyObjects.pod(MARKER_NS, "p", Map.of("step", n), "elsewhere",
                List.of(IpAddress.parse("10.244.250.1"), IpAddress.parse("fd00:10:244:fa::1"))));
        // every zz-marker pod isolated; ingress allowed only from step=N pods in step=N namespaces on port 1000+N
        write(ApiPolicyObjects.policy(new NetworkPolicy(new NamespacedName(MARKER_NS, "marker"), LabelSelector.EVERYTHING,
                true, false, List.of(new PolicyRule(List.of(new PolicyPeer.Pods(LabelSelector.of(Map.of("step", n)),
                LabelSelector.of(Map.of("step", n)))), List.of(PolicyPort.number(Protocol.TCP, markerPort())))), List.of())));
        for (ClusterNode node : h.nodes()) {
            awaitMarker(node, s.description());
        }
    }

    private int markerPort() {
        return 1000 + step;
    }

    private void awaitMarker(ClusterNode node, String what) throws Exception {
        long deadline = System.nanoTime() + STEP_TIMEOUT_NS;
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                if (node.daemon().getJson("/v1/policy/check?from=" + MARKER_NS + "/p&to=" + MARKER_NS
                        + "/p&protocol=TCP&port=" + markerPort()).optionalBoolean("allowed", false)) {
                    return;
                }
                last = "the marker check still denies";
            } catch (RuntimeException e) {
                last = e.getMessage(); // the marker pod not known yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError(node.name() + " did not apply step " + step + " (" + what + ") within 30 s: " + last
                + "\n" + h.logs());
    }

    @Test
    void truthTablesFromTheApiServerOnTwoNodesInBothFamilies() throws Exception {
        String selected = System.getProperty("podswitch.netpol.cases", String.join(",", SUITE_CASES));
        List<String> failures = new ArrayList<>();
        NetpolTruthTables.Summary summary = cluster.tables.run(selected, this::apply, failures);
        System.out.printf("netpol truth tables from the API server: %d cases, %d tables (9×9 each, both families), "
                + "%d steps, %d s%s%n", summary.cases(), summary.tables(), step, summary.seconds(),
                cluster.tables.sctp() ? "" : "; SCTP probes skipped (no SCTP in this kernel)");
        assertTrue(failures.isEmpty(), failures.size() + " cell(s) differ:\n" + String.join("\n", failures)
                + "\n" + h.logs());
        assertTrue(summary.cases() > 0, "no case selected by '" + selected + "'");
    }
}
